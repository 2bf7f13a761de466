// How the async runtime sets up its data path and drives the stack: frames and rings, the
// stack's bounds, and whether it sleeps between packets or busy-polls.

/// Set-up and driving choices of `NetworkRuntime`.
public struct NetworkOptions: Sendable {
    /// Frames allocated from the daemon: half become receive (fill) buffers, half transmit
    /// buffers. Never more than the tenant's quota allows (the runtime asks for fewer then);
    /// allocated in batches of at most `WireLimits.maxBatch`.
    public var frames = 64
    /// Slots per ring (a power of two the daemon accepts); raised to hold half the frames,
    /// which wait on the fill ring.
    public var ringCapacity: UInt32 = 64
    /// The stack's bounds (sockets, queues, ARP cache) and timings.
    public var limits = StackLimits()
    /// Spin instead of sleeping: lowest latency, one core kept busy.
    public var busyPoll = false
    /// How long the stack thread keeps polling after the last packet before it sleeps on
    /// the data path's eventfd (a cross-CPU wake-up costs tens of microseconds here; a poll a
    /// fraction of one, so a busy peer's next packet is caught without one).
    public var spin: Duration = .microseconds(50)
    /// The longest the stack thread sleeps without a deadline of the stack's: a safety tick,
    /// so that a wake-up lost anywhere (a peer that forgot to kick, say) costs at most this
    /// long instead of stalling the stack until the next packet. Ten wake-ups a second idle.
    public var maximumSleep: Duration = .milliseconds(100)
    /// Key of TCP's initial sequence numbers and timestamp offsets; nil (the default): a
    /// random key per runtime. A program that restarts and connects again to the same
    /// servers from the same ports within their TIME_WAIT (60 s on Linux) should pass a key
    /// it keeps, e.g. `try SecretFile.loadOrCreate(path:)` on a file of its own: a new random
    /// key gives its SYNs sequence numbers and timestamps unrelated to the last run's, which
    /// Linux in TIME_WAIT does not take as a new connection (the SYN waits for its 1 s
    /// retransmission). Keep the key as secret as a private key: whoever learns it can
    /// predict the stack's ISNs (RFC 6528).
    public var sequenceSecret: UInt64?
    /// What to do when the session with the daemon ends (it stopped, restarted, crashed):
    /// attach again with back-off and rebuild the rings, bindings and filters under the same
    /// stack (the default), or, with nil, stop the runtime (every waiting call fails
    /// `.sessionEnded`). A kick or a refused hello always stops it. docs/EXOS.md §10.
    public var reattach: ReattachPolicy? = ReattachPolicy()

    public init() {}
}
