// How the async runtime sets up its data path and drives the stack: frames and rings, the
// stack's bounds, and whether it sleeps between packets or busy-polls.

/// Set-up and driving choices of `NetworkRuntime`.
public struct NetworkOptions: Sendable {
    /// Frames allocated from the daemon: half become receive (fill) buffers, half transmit buffers.
    public var frames = 128
    /// Slots per ring (a power of two the daemon accepts).
    public var ringCapacity: UInt32 = 64
    /// The stack's bounds (sockets, queues, ARP cache) and timings.
    public var limits = StackLimits()
    /// Spin instead of sleeping: lowest latency, one core kept busy.
    public var busyPoll = false
    /// How long the stack thread keeps polling after the last packet before it sleeps on
    /// the data path's eventfd (a cross-CPU wake-up costs tens of microseconds here; a poll a
    /// fraction of one, so a busy peer's next packet is caught without one).
    public var spin: Duration = .microseconds(50)

    public init() {}
}
