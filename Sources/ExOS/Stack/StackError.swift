// The stack's typed errors: what an application call can be refused for.

import ExoPacket

/// Why the stack refused to open or bind a socket or pinger.
public enum StackError: Error, Hashable, Sendable {
    /// The address is not one of the stack's.
    case notLocalAddress(IPv4Address)
    /// Neither an owned address nor a grant covers the endpoint.
    case notGranted
    /// Another socket of the stack holds the endpoint.
    case endpointInUse
    /// Port 0 asked for one, and no granted port is free.
    case noFreePort
    /// The table of that kind of socket is full (``StackLimits``).
    case tooManySockets
    /// The handle names a socket that has been closed.
    case staleHandle
    /// The destination cannot be reached from the stack's link (no route, or not unicast).
    case unroutable(IPv4Address)
}

/// Why a datagram was not queued for sending.
public enum SendError: Error, Hashable, Sendable {
    /// The payload exceeds `maximum` bytes: the MTU less the IPv4 and UDP (or ICMP) headers.
    /// The stack never fragments (see docs/EXOS.md).
    case datagramTooLarge(maximum: Int)
    /// The socket's transmit queue is full: try again when it is writable.
    case queueFull
    /// No destination given and the socket is not connected.
    case notConnected
    /// The destination cannot be reached from the stack's link (no route, or not unicast).
    case unroutable(IPv4Address)
    /// The handle names a socket that has been closed.
    case staleHandle
}
