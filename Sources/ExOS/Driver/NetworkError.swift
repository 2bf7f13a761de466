// What the async network API throws: one closed set, so an application can switch on it.

import ExoPacket

/// Every failure of `NetworkRuntime`, `UDPSocket` and `Pinger` calls.
public enum NetworkError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The stack refused to open the endpoint (not local, not granted, in use, table full).
    case refused(StackError)
    /// The daemon refused the binding (it is the authority on endpoints).
    case bindRefused(ExOSError)
    /// The datagram was not sent (too large for the MTU, no route, not connected).
    case sendFailed(SendError)
    /// The network reported an error for this socket's flow (ICMP error, ARP failure).
    case socket(SocketError)
    /// The socket was closed (by this process) while the call waited, or before it.
    case closed
    /// The data path ended: the daemon went away, the session was closed, or the runtime stopped.
    case sessionEnded
    /// The task was cancelled while the call waited.
    case cancelled
    /// Setting up the data path failed.
    case setup(String)
    /// The TCP connection failed (reset, refused, timed out, aborted).
    case tcp(TCPError)

    public var description: String {
        switch self {
        case .refused(let error): "refused by the stack: \(error)"
        case .bindRefused(let error): "binding refused by exokerneld: \(error)"
        case .sendFailed(let error): "not sent: \(error)"
        case .socket(let error): "network error: \(error)"
        case .closed: "socket closed"
        case .sessionEnded: "the session with exokerneld ended"
        case .cancelled: "cancelled"
        case .setup(let why): "network set-up failed: \(why)"
        case .tcp(let error): "connection failed: \(error)"
        }
    }
}
