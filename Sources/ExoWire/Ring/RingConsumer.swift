// The consuming end of one ring: copies descriptors out once, releases their slots with a
// release store, and runs its half of the need-wakeup handshake before sleeping.

import Synchronization

/// The single consumer of one ring. Non-copyable: exactly one value may consume a ring.
/// The ring memory must outlive it (`RingMemory`).
///
/// Its consumer index lives here, privately; shared memory only receives it. The producer
/// index is read at most once per call (acquire), checked, and kept as a private copy.
/// Descriptors come out as copies, each field loaded exactly once.
public struct RingConsumer: ~Copyable, Sendable {
    private let memory: RingMemory
    /// Entries taken so far (free-running). Never read back from shared memory.
    private var consumed: UInt32
    /// The last believable producer index observed.
    private var producerSeen: UInt32
    /// Whether this side has need-wakeup set in shared memory (so clearing costs no store
    /// while it is not).
    private var wakeupRequested = false

    /// Consumes `memory`, whose indices were initialized to `startIndex`.
    public init(memory: RingMemory, startIndex: UInt32 = 0) {
        self.memory = memory
        self.consumed = startIndex
        self.producerSeen = startIndex
    }

    /// Entries available as of the last producer index seen (no shared-memory read).
    public var cachedAvailable: Int { Int(producerSeen &- consumed) }

    /// Entries taken so far (the private free-running index).
    public var consumerIndex: UInt32 { consumed }

    /// Entries the producer has published and this end not yet taken, as the shared producer
    /// index says now, at most the capacity (a hostile index reads as a full ring). For reports
    /// only (metrics): one acquire load, no check, no change to what `consume` will see.
    public var reportedEntries: Int {
        Int(min(memory.sharedProducerIndex &- consumed, memory.layout.capacity))
    }

    /// Reads the producer index once and returns the entries it makes available.
    public mutating func refreshAvailable() throws(RingViolation) -> Int {
        try observeProducer()
        return cachedAvailable
    }

    /// Copies up to `min(buffer.count, limit)` descriptors, oldest first, into the front of
    /// `buffer` and releases their slots with one release store; returns how many. Reads
    /// the producer index only if the cached entries are short. Clears need-wakeup if this
    /// side had set it (the consumer is awake). Throws, taking nothing, if the producer
    /// index is not believable. The descriptors are unchecked: apply `FrameBounds`.
    public mutating func consume(
        into buffer: inout MutableSpan<RingDescriptor>, max limit: Int = .max
    ) throws(RingViolation) -> Int {
        if wakeupRequested { clearWakeupRequest() }
        let wanted = min(buffer.count, limit)
        if wanted <= 0 { return 0 }
        if cachedAvailable < wanted { try observeProducer() }
        let count = min(cachedAvailable, wanted)
        if count == 0 { return 0 }
        for i in 0..<count {
            buffer[i] = memory.readDescriptor(at: consumed &+ UInt32(truncatingIfNeeded: i))
        }
        consumed &+= UInt32(truncatingIfNeeded: count)
        memory.storeReleasing(consumed, at: RingField.consumerIndex.lowerBound)
        return count
    }

    /// The consumer's half of the need-wakeup handshake, run when it found the ring empty
    /// and wants to block on its eventfd: sets need-wakeup, then re-reads the producer
    /// index. Returns true if the ring is still empty (sleep: a producer that publishes
    /// from now on will kick), false if entries arrived meanwhile (consume them instead).
    public mutating func prepareToSleep() throws(RingViolation) -> Bool {
        memory.storeRelaxed(RingFlags.needWakeup, at: RingField.flags.lowerBound)
        wakeupRequested = true
        // Store-load ordering (docs/RINGS.md, "Need-wakeup"): the flag must be visible
        // before the producer index is re-read; the producer fences the other way round.
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        try observeProducer()
        return cachedAvailable == 0
    }

    /// Clears need-wakeup (the consumer is awake and polling). `consume` does this itself.
    public mutating func clearWakeupRequest() {
        memory.storeRelaxed(0, at: RingField.flags.lowerBound)
        wakeupRequested = false
    }

    /// One acquire load of the producer index; accepted only if believable.
    private mutating func observeProducer() throws(RingViolation) {
        let observed = memory.loadAcquiring(at: RingField.producerIndex.lowerBound)
        guard
            RingIndexCheck.producerIsBelievable(
                observed: observed, consumer: consumed, lastSeen: producerSeen, capacity: memory.layout.capacity)
        else { throw .producerIndex(observed: observed, consumer: consumed, lastSeen: producerSeen) }
        producerSeen = observed
    }
}
