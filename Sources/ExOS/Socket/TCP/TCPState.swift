// The states of a TCP connection (RFC 9293 §3.3.2) and what an application may configure
// per connection.

/// Where a connection is in its life (RFC 9293 §3.3.2). LISTEN belongs to listeners.
public enum TCPState: String, Hashable, Sendable, CustomStringConvertible {
    case closed, synSent, synReceived, established, finWait1, finWait2, closeWait, closing, lastAck, timeWait

    /// Both SYNs have been exchanged (RFC 9293's "synchronized states").
    public var isSynchronized: Bool {
        switch self {
        case .closed, .synSent, .synReceived: false
        default: true
        }
    }

    /// The peer may still send data (it has not sent its FIN).
    var receivesData: Bool { self == .established || self == .finWait1 || self == .finWait2 }

    /// The application may still queue data (it has not shut down its direction).
    var acceptsData: Bool { self == .established || self == .closeWait || self == .synSent || self == .synReceived }

    public var description: String { rawValue }
}

/// Keep-alive probing (RFC 1122 §4.2.3.6): off unless an application asks.
public struct TCPKeepAlive: Hashable, Sendable {
    /// Idle time before the first probe.
    public var idle: Interval
    /// Time between unanswered probes.
    public var interval: Interval
    /// Unanswered probes after which the connection fails with `timedOut`.
    public var probes: Int

    public init(idle: Interval = .seconds(7200), interval: Interval = .seconds(75), probes: Int = 9) {
        self.idle = idle
        self.interval = interval
        self.probes = probes
    }
}

/// What an application chooses per connection (or per listener, for the connections it
/// accepts).
public struct TCPConnectionOptions: Hashable, Sendable {
    /// The congestion control (CUBIC by default, RFC 9438).
    public var congestionControl: CongestionAlgorithm
    /// True turns Nagle's algorithm off (TCP_NODELAY): small writes go at once.
    public var noDelay: Bool
    /// Bytes the send buffer holds (written, not yet acknowledged).
    public var sendBufferSize: Int
    /// Bytes the receive buffer holds (received, not yet read), and so the largest window.
    public var receiveBufferSize: Int
    /// Keep-alive probing, or nil for none.
    public var keepAlive: TCPKeepAlive?

    public init(
        congestionControl: CongestionAlgorithm = .cubic, noDelay: Bool = false, sendBufferSize: Int = 256 * 1024,
        receiveBufferSize: Int = 256 * 1024, keepAlive: TCPKeepAlive? = nil
    ) {
        self.congestionControl = congestionControl
        self.noDelay = noDelay
        self.sendBufferSize = sendBufferSize
        self.receiveBufferSize = receiveBufferSize
        self.keepAlive = keepAlive
    }
}

/// Why a connection failed, as the application sees it.
public enum TCPError: Error, Hashable, Sendable {
    /// The peer reset the connection (RST in a synchronized state).
    case connectionReset
    /// The peer answered the SYN with a reset: nobody listens there.
    case refused
    /// Retransmissions (or keep-alive probes) went unanswered for too long.
    case timedOut
    /// The application aborted the connection.
    case aborted
    /// The network reported the destination unreachable (ICMP, after retransmissions failed).
    case unreachable(ICMPErrorReport)
    /// The handle was closed (or never named a connection of this stack).
    case staleHandle
    /// The sending side was shut down (or the connection is closing): no more writes.
    case shutDown
}
