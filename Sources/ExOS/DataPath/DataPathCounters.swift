// What a data path has done and what it refused from the daemon: plain counters the
// application may print, and tests read to prove nothing was lost or invented.

/// Counters of one ``DataPath`` (``DataPath/counters``). All monotonic.
public struct DataPathCounters: Equatable, Sendable {
    /// Packets handed to the application from the rx ring.
    public var received: UInt64 = 0
    /// Bytes in those packets.
    public var receivedBytes: UInt64 = 0
    /// Frames posted on the fill ring.
    public var fillPosted: UInt64 = 0
    /// Packets posted on the tx ring.
    public var transmitted: UInt64 = 0
    /// Bytes in those packets.
    public var transmittedBytes: UInt64 = 0
    /// Frames the completion ring handed back.
    public var completed: UInt64 = 0
    /// Received packets the application never took out of a batch (their frames went back to fill).
    public var abandoned: UInt64 = 0
    /// rx descriptors naming a frame that was not on the fill ring (not ours, or not given
    /// to the daemon): ignored.
    public var rxForeignFrames: UInt64 = 0
    /// rx descriptors for one of our fill frames with a bad length or flags: the frame went
    /// back to fill, the packet was dropped.
    public var rxBadDescriptors: UInt64 = 0
    /// Completion descriptors naming a frame that was not on the tx ring: ignored.
    public var completionForeignFrames: UInt64 = 0
    /// Peer indices that no well-behaved daemon could have written (`RingViolation`).
    public var ringViolations: UInt64 = 0
    /// Writes to the tenant-to-daemon eventfd (the daemon had asked for a wakeup).
    public var kicks: UInt64 = 0
    /// Times `wait` armed need-wakeup and blocked.
    public var sleeps: UInt64 = 0

    /// Every counter at zero.
    public init() {}
}
