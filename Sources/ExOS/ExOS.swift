// Entry points of the library OS: attach to exokerneld as a tenant or as an operator.
// Attaching is connect, hello, and waiting for helloAccepted or the daemon's refusal.

import ExoPlatform
import ExoWire

/// Attaching to the daemon.
public enum ExOS {
    /// Connects to the control socket (`SocketPath.resolve(explicit: socketPath)`) and attaches
    /// as tenant `tenant`. The daemon checks this process's uid/gid against that tenant.
    /// The returned session owns the socket; it is closed by `close()` or when the session is released.
    public static func attach(tenant: String, socketPath: String? = nil) async throws(ExOSError) -> ExoSession {
        let (channel, accepted) = try await handshake(role: .tenant, tenantName: tenant, socketPath: socketPath)
        return ExoSession(channel: channel, info: accepted)
    }

    /// Attaches as an operator (root or a member of the daemon's operator group).
    public static func attachOperator(socketPath: String? = nil) async throws(ExOSError) -> OperatorSession {
        let (channel, accepted) = try await handshake(role: .operator, tenantName: "", socketPath: socketPath)
        return OperatorSession(channel: channel, info: accepted)
    }

    private static func handshake(
        role: PeerRole, tenantName: String, socketPath: String?
    ) async throws(ExOSError) -> (ControlChannel, HelloAccepted) {
        // A map reply carries up to 253 frame descriptors, and an application may keep more
        // open than a stock shell's soft limit of 1024 allows: use the hard limit, as the daemon does.
        ResourceLimits.raiseOpenFilesToHardLimit()
        let path = SocketPath.resolve(explicit: socketPath)
        let socket: OwnedDescriptor
        do throws(SystemError) {
            socket = try UnixSeqpacket.connect(path: path)
        } catch {
            throw .unreachable(path: path, error)
        }
        let channel = ControlChannel(socket: socket)
        let hello = Hello(
            minVersion: WireLimits.minVersion, maxVersion: WireLimits.maxVersion,
            features: [], role: role, tenantName: tenantName)
        do throws(ExOSError) {
            let reply = try await channel.request(.hello(hello))
            guard case .helloAccepted(let accepted) = reply else {
                throw .unexpectedReply(reply, expected: "helloAccepted")
            }
            guard (WireLimits.minVersion...WireLimits.maxVersion).contains(accepted.version) else {
                throw .protocolViolation("daemon chose version \(accepted.version), not offered")
            }
            channel.setVersion(accepted.version)
            return (channel, accepted)
        } catch {
            channel.shutdown()
            throw error
        }
    }
}
