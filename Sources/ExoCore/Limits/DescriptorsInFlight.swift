// One session's frame descriptors the daemon has handed out but the peer may not have read:
// those still in the daemon's queue (open files of the daemon) and those sent into the socket
// since it was last seen drained (charged to the daemon by the kernel until received).

/// Counts of a session's unread descriptors. The daemon calls `queued` when a reply carrying
/// descriptors is queued, `sent` when it leaves the queue, and `drained` when the socket holds
/// no unread byte (then every sent descriptor was received).
public struct DescriptorsInFlight: Sendable, Equatable {
    public private(set) var queued = 0
    public private(set) var sent = 0

    public init() {}

    /// Descriptors the peer may not have read.
    public var total: Int { queued + sent }

    public mutating func queued(_ count: Int) { queued += count }

    /// `count` queued descriptors went into the socket.
    public mutating func sent(_ count: Int) {
        let moved = min(count, queued)
        queued -= moved
        sent += moved
    }

    /// The socket holds nothing unread: whatever was sent was received.
    public mutating func drained() { sent = 0 }

    /// The queue was dropped (its descriptors closed).
    public mutating func discarded() { queued = 0 }
}
