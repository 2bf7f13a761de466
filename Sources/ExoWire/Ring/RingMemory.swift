// The one place that touches ring memory: a ring's bytes viewed as 32-bit atomic words, so
// every read of shared state is a single load the compiler can neither repeat nor split.

import Synchronization

/// One ring's memory, viewed as `Atomic<UInt32>` words laid out by `RingField`.
///
/// Unsafe by construction, safe by invariant. Whoever creates a `RingMemory` promises that
/// `unsafeBase` is 64-byte aligned and points to at least `layout.byteCount` readable and
/// writable bytes (normally a shared mapping) that stay mapped for as long as this value or
/// any producer or consumer made from it is used; the mapping's owner unmaps it only after
/// those are gone. Given that, every access below is in bounds: word offsets come from
/// `RingField` and `RingLayout.slotOffset`, which masks the index, never from shared memory.
///
/// `Atomic<UInt32>` has the size and alignment of `UInt32`, so binding the bytes to it is a
/// compile-time statement only. Binding is done again by each process that maps the region.
/// The value is an address: copying it copies no memory and transfers no ownership.
public struct RingMemory: @unchecked Sendable {
    // @unchecked: the pointee is only accessed through atomic operations, so concurrent
    // use from any thread (or process) is free of data races by construction.
    private let words: UnsafeMutablePointer<Atomic<UInt32>>
    /// The ring's geometry.
    public let layout: RingLayout

    /// Views the ring at `unsafeBase`, whose header must already be initialized (by
    /// `initialize(unsafeBase:layout:startIndex:)`, possibly in another process).
    public init(unsafeBase: UnsafeMutableRawPointer, layout: RingLayout) {
        precondition(Int(bitPattern: unsafeBase) & 63 == 0, "ring memory must be 64-byte aligned")
        self.words = unsafeBase.bindMemory(to: Atomic<UInt32>.self, capacity: layout.byteCount / 4)
        self.layout = layout
    }

    /// Writes a fresh ring at `unsafeBase`: both indices at `startIndex`, flags and every
    /// slot zero. Only the ring's creator (the daemon) calls this, before sharing the memory.
    /// `startIndex` is 0 in production; tests start near `UInt32.max` to exercise wraparound.
    public static func initialize(
        unsafeBase: UnsafeMutableRawPointer, layout: RingLayout, startIndex: UInt32 = 0
    ) -> RingMemory {
        let memory = RingMemory(unsafeBase: unsafeBase, layout: layout)
        for word in 0..<(layout.byteCount / 4) { memory.words[word].store(0, ordering: .relaxed) }
        memory.storeRelaxed(startIndex, at: RingField.producerIndex.lowerBound)
        memory.storeRelaxed(startIndex, at: RingField.consumerIndex.lowerBound)
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        return memory
    }

    // MARK: Word access (byte offsets; always multiples of 4 within `layout.byteCount`)

    @inline(__always)
    func loadAcquiring(at byteOffset: Int) -> UInt32 {
        words[byteOffset &>> 2].load(ordering: .acquiring)
    }

    @inline(__always)
    func loadRelaxed(at byteOffset: Int) -> UInt32 {
        words[byteOffset &>> 2].load(ordering: .relaxed)
    }

    @inline(__always)
    func storeReleasing(_ value: UInt32, at byteOffset: Int) {
        words[byteOffset &>> 2].store(value, ordering: .releasing)
    }

    @inline(__always)
    func storeRelaxed(_ value: UInt32, at byteOffset: Int) {
        words[byteOffset &>> 2].store(value, ordering: .relaxed)
    }

    // MARK: Descriptor slots

    /// Reads the slot of free-running `index` once, field by field, into a private copy.
    @inline(__always)
    func readDescriptor(at index: UInt32) -> RingDescriptor {
        let slot = layout.slotOffset(index)
        return RingDescriptor(
            frame: loadRelaxed(at: slot + RingField.Descriptor.frame.lowerBound),
            length: loadRelaxed(at: slot + RingField.Descriptor.length.lowerBound),
            flags: loadRelaxed(at: slot + RingField.Descriptor.flags.lowerBound))
    }

    /// Writes `descriptor` into the slot of free-running `index` (reserved word zeroed).
    @inline(__always)
    func writeDescriptor(_ descriptor: RingDescriptor, at index: UInt32) {
        let slot = layout.slotOffset(index)
        storeRelaxed(descriptor.frame, at: slot + RingField.Descriptor.frame.lowerBound)
        storeRelaxed(descriptor.length, at: slot + RingField.Descriptor.length.lowerBound)
        storeRelaxed(descriptor.flags, at: slot + RingField.Descriptor.flags.lowerBound)
        storeRelaxed(0, at: slot + RingField.Descriptor.reserved.lowerBound)
    }

    // MARK: Inspection (tests, exoctl-style diagnostics; not for the data path)

    /// The producer index as currently in shared memory. Untrusted: for display only.
    public var sharedProducerIndex: UInt32 { loadAcquiring(at: RingField.producerIndex.lowerBound) }
    /// The consumer index as currently in shared memory. Untrusted: for display only.
    public var sharedConsumerIndex: UInt32 { loadAcquiring(at: RingField.consumerIndex.lowerBound) }
    /// The flags word as currently in shared memory. Untrusted: for display only.
    public var sharedFlags: UInt32 { loadAcquiring(at: RingField.flags.lowerBound) }
}
