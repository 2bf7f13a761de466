// Attaching to exokerneld: connect to the control socket, say hello with the versions we
// speak, and wait for helloAccepted or the daemon's refusal. Tenant and operator alike.

import ExoPlatform
import ExoWire

extension ControlChannel {
    /// Connects to the control socket (`SocketPath.resolve(explicit: socketPath)`) and attaches
    /// with `role` (and, for a tenant, `tenantName`). The caller owns the returned channel.
    package static func attach(
        role: PeerRole, tenantName: String, socketPath: String?
    ) async throws(ExoClientError) -> (ControlChannel, HelloAccepted) {
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
        do throws(ExoClientError) {
            let accepted = try await channel.call(ControlCalls.hello(hello))
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
