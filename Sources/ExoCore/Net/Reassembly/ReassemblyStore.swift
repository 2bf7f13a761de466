// The reassembler's memory, allocated once: one buffer per datagram slot and a bitmap of the
// 8-byte units each slot holds. The only unsafe pointers of reassembly live here.
import ExoWire
import ExoPacket

/// Preallocated slot buffers and coverage bitmaps.
///
/// Invariant (what makes the pointers safe): both allocations are made in `init`, never
/// resized, and freed in `deinit`; the store is owned by one `Reassembler`, which is owned by
/// one thread. Slot indices are checked against `slotCount`; byte ranges inside a slot go
/// through `MutablePacketBytes`, whose every access is bounds-checked.
final class ReassemblyStore {
    /// Room before the payload for the first fragment's Ethernet and IPv4 headers (14 + 60),
    /// stored right-aligned so that headers and payload end up contiguous.
    static let headerRoom = EthernetPacket.headerLength + 60

    let slotCount: Int
    let payloadCapacity: Int
    let slotBytes: Int
    let wordsPerSlot: Int
    private let memory: UnsafeMutableRawBufferPointer
    private let bitmap: UnsafeMutableBufferPointer<UInt64>
    /// Per slot: what is known of its datagram.
    let slots: UnsafeMutableBufferPointer<ReassemblySlot>

    init(slotCount: Int, payloadCapacity: Int) {
        self.slotCount = slotCount
        self.payloadCapacity = payloadCapacity
        slotBytes = Self.headerRoom + payloadCapacity
        wordsPerSlot = (payloadCapacity / 8 + 1 + 63) / 64
        memory = .allocate(byteCount: slotCount * slotBytes, alignment: 64)
        memory.initializeMemory(as: UInt8.self, repeating: 0)
        bitmap = .allocate(capacity: slotCount * wordsPerSlot)
        bitmap.initialize(repeating: 0)
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: ReassemblySlot())
    }

    deinit {
        memory.deallocate()
        bitmap.deallocate()
        slots.deallocate()
    }

    /// Slot `slot`'s buffer: headers before `headerRoom`, payload byte `n` at `headerRoom + n`.
    func bytes(_ slot: Int) -> MutablePacketBytes {
        precondition(slot >= 0 && slot < slotCount, "reassembly slot out of range")
        return MutablePacketBytes(unsafeBuffer: UnsafeMutableRawBufferPointer(rebasing: memory[(slot * slotBytes)..<((slot + 1) * slotBytes)]))
    }

    private func word(_ slot: Int, _ unit: Int) -> Int {
        precondition(slot >= 0 && slot < slotCount && unit >= 0 && unit < wordsPerSlot * 64, "reassembly unit out of range")
        return slot * wordsPerSlot + unit / 64
    }

    /// How many of the 8-byte units in `units` the slot holds.
    func heldUnits(_ slot: Int, _ units: Range<Int>) -> Int {
        var held = 0
        for unit in units where bitmap[word(slot, unit)] & (1 << UInt64(unit % 64)) != 0 { held += 1 }
        return held
    }

    /// Marks `units` held.
    func hold(_ slot: Int, _ units: Range<Int>) {
        for unit in units { bitmap[word(slot, unit)] |= 1 << UInt64(unit % 64) }
    }

    /// Forgets every unit of the slot.
    func clear(_ slot: Int) {
        let start = word(slot, 0)
        for index in start..<(start + wordsPerSlot) { bitmap[index] = 0 }
    }
}

/// What the reassembler knows of the datagram in one slot (a plain value: no references).
struct ReassemblySlot {
    var inUse = false
    /// Dropped: the slot swallows the datagram's remaining fragments until `deadline`.
    var dropped = false
    var key = ReassemblyKey(source: .any, destination: .any, protocol: 0, identification: 0)
    /// Who is charged for the slot (`Reassembler.owner(_:)` index).
    var owner = 0
    /// When the first fragment arrived (eviction takes the oldest).
    var started: UInt64 = 0
    var deadline: UInt64 = 0
    /// Payload bytes held (the fragments are disjoint, so this is the covered length).
    var heldBytes = 0
    /// The payload length, once the last fragment (more-fragments clear) arrived; else nil.
    var totalLength: Int?
    /// The end of the furthest fragment so far.
    var highestEnd = 0
    /// The first fragment's IPv4 header length, once it arrived; else 0.
    var ipHeaderLength = 0
}
