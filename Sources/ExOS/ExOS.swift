// Entry points of the library OS: attach to exokerneld as a tenant (or, for tools, as an
// operator). Attaching is connect, hello, and waiting for helloAccepted or the refusal.

import ExoClient
import ExoWire

/// Every failure an ExOS call reports (the control client's closed set of failures).
public typealias ExOSError = ExoClientError

/// Attaching to the daemon.
public enum ExOS {
    /// Connects to the control socket (`SocketPath.resolve(explicit: socketPath)`) and attaches
    /// as tenant `tenant`. The daemon checks this process's uid/gid against that tenant.
    /// The returned session owns the socket; it is closed by `close()` or when the session is released.
    public static func attach(tenant: String, socketPath: String? = nil) async throws(ExOSError) -> ExoSession {
        let (channel, accepted) = try await ControlChannel.attach(role: .tenant, tenantName: tenant, socketPath: socketPath)
        return ExoSession(channel: channel, info: accepted, tenant: tenant, socketPath: socketPath)
    }

    /// Attaches as an operator (root or a member of the daemon's operator group).
    public static func attachOperator(socketPath: String? = nil) async throws(ExOSError) -> OperatorSession {
        try await OperatorSession.attach(socketPath: socketPath)
    }
}
