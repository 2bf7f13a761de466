// The producing end of one ring: writes descriptors, publishes them with a release store,
// and says when the consumer asked to be woken. Its own counter never comes from memory.

import Synchronization

/// What one `RingProducer.produce` call did.
public struct RingPublish: Equatable, Sendable {
    /// Descriptors published, from the front of the batch (fewer than offered when full).
    public var count: Int
    /// The consumer had set need-wakeup: the caller must kick it (write its eventfd).
    public var wakeupNeeded: Bool

    public init(count: Int, wakeupNeeded: Bool) {
        self.count = count
        self.wakeupNeeded = wakeupNeeded
    }
}

/// The single producer of one ring. Non-copyable: exactly one value may produce on a ring,
/// and the compiler refuses a second copy. The ring memory must outlive it (`RingMemory`).
///
/// Its producer index lives here, privately; shared memory only receives it. The consumer
/// index is read at most once per call (acquire), checked, and kept as a private copy.
public struct RingProducer: ~Copyable, Sendable {
    private let memory: RingMemory
    /// Entries published so far (free-running). Never read back from shared memory.
    private var produced: UInt32
    /// The last believable consumer index observed.
    private var consumerSeen: UInt32

    /// Produces on `memory`, whose indices were initialized to `startIndex`.
    public init(memory: RingMemory, startIndex: UInt32 = 0) {
        self.memory = memory
        self.produced = startIndex
        self.consumerSeen = startIndex
    }

    /// Slots free as of the last consumer index seen (no shared-memory read).
    public var cachedFreeSlots: Int { Int(memory.layout.capacity &- (produced &- consumerSeen)) }

    /// Entries published so far (the private free-running index).
    public var producerIndex: UInt32 { produced }

    /// Entries this end published and the consumer has not yet taken, as the shared consumer
    /// index says now, at most the capacity (a hostile index reads as a full ring). For reports
    /// only (metrics): one acquire load, no check, no change to what `produce` will see.
    public var reportedEntries: Int {
        Int(min(produced &- memory.sharedConsumerIndex, memory.layout.capacity))
    }

    /// Reads the consumer index once and returns the free slots it leaves.
    public mutating func refreshFreeSlots() throws(RingViolation) -> Int {
        try observeConsumer()
        return cachedFreeSlots
    }

    /// Publishes as many descriptors from the front of `batch` as fit, in order, with one
    /// release store of the producer index; then checks need-wakeup. Reads the consumer
    /// index only if the cached free space is short. Throws, publishing nothing, if that
    /// index is not believable.
    public mutating func produce(_ batch: Span<RingDescriptor>) throws(RingViolation) -> RingPublish {
        if batch.isEmpty { return RingPublish(count: 0, wakeupNeeded: false) }
        if cachedFreeSlots < batch.count { try observeConsumer() }
        let count = min(cachedFreeSlots, batch.count)
        if count == 0 { return RingPublish(count: 0, wakeupNeeded: false) }
        for i in 0..<count {
            memory.writeDescriptor(batch[i], at: produced &+ UInt32(truncatingIfNeeded: i))
        }
        produced &+= UInt32(truncatingIfNeeded: count)
        memory.storeReleasing(produced, at: RingField.producerIndex.lowerBound)
        // Store-load ordering (docs/RINGS.md, "Need-wakeup"): the index store above must be
        // visible before the flag is read, or a consumer going to sleep could be missed.
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        let flags = memory.loadRelaxed(at: RingField.flags.lowerBound)
        return RingPublish(count: count, wakeupNeeded: flags & RingFlags.needWakeup != 0)
    }

    /// One acquire load of the consumer index; accepted only if believable.
    private mutating func observeConsumer() throws(RingViolation) {
        let observed = memory.loadAcquiring(at: RingField.consumerIndex.lowerBound)
        guard RingIndexCheck.consumerIsBelievable(observed: observed, producer: produced, lastSeen: consumerSeen)
        else { throw .consumerIndex(observed: observed, producer: produced, lastSeen: consumerSeen) }
        consumerSeen = observed
    }
}
