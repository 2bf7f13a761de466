// Copies of packets the impairment holds back (delayed, reordered, duplicated, corrupted):
// a fixed set of frame-sized slots reserved at start, so holding never allocates and a full
// store is a counted drop rather than unbounded memory.

import ExoImpairment
import ExoWire

/// One held copy: which slot, how long, and where it goes when released.
struct HeldPacket: Sendable {
    var slot: Int32
    var length: Int32
    var way: ImpairmentWay
    var tenant: TenantID
    var session: SessionID
}

/// `capacity` slots of `slotSize` bytes in one allocation, a free list and the release
/// queue. Invariant: every slot index is either on the free list or in exactly one queued
/// `HeldPacket`, never both; `slots` is written only through `hold` and read only in
/// `release` while its entry is out of the queue and not yet freed.
final class HeldPackets {
    let capacity: Int
    let slotSize: Int
    private let slots: UnsafeMutableRawBufferPointer
    private var free: [Int32]
    private var queue: TimedReleaseQueue<HeldPacket>

    init(capacity: Int, slotSize: Int) {
        precondition(capacity > 0 && slotSize > 0, "held packets need room")
        self.capacity = capacity
        self.slotSize = slotSize
        slots = .allocate(byteCount: capacity * slotSize, alignment: 64)
        free = (0..<Int32(capacity)).reversed()
        free.reserveCapacity(capacity)
        queue = TimedReleaseQueue(capacity: capacity)
    }

    deinit { slots.deallocate() }

    var count: Int { queue.count }
    /// When the earliest held copy is due; nil when none is held.
    var nextRelease: UInt64? { queue.nextRelease }

    /// Copies `packet` into a free slot (flipping the bit `corruption` names, if any) for
    /// release at `releaseAt`. False, and nothing held, when every slot is taken or the
    /// packet does not fit one.
    func hold(_ packet: UnsafeRawBufferPointer, at releaseAt: UInt64, corruption: Corruption?,
        way: ImpairmentWay, tenant: TenantID, session: SessionID) -> Bool
    {
        guard packet.count <= slotSize, let slot = free.popLast() else { return false }
        let base = slots.baseAddress! + Int(slot) * slotSize
        if let source = packet.baseAddress { base.copyMemory(from: source, byteCount: packet.count) }
        if let corruption, corruption.offset < packet.count {
            base.storeBytes(of: base.load(fromByteOffset: corruption.offset, as: UInt8.self) ^ corruption.mask,
                toByteOffset: corruption.offset, as: UInt8.self)
        }
        let held = HeldPacket(slot: slot, length: Int32(packet.count), way: way, tenant: tenant, session: session)
        guard queue.insert(held, releaseAt: releaseAt) else {
            free.append(slot)
            return false
        }
        return true
    }

    /// Hands every copy due at `now` to `body`, earliest first (the bytes are lent for the
    /// call), and frees its slot. Returns how many were released.
    @discardableResult
    func release(now: UInt64, _ body: (HeldPacket, UnsafeRawBufferPointer) -> Void) -> Int {
        var released = 0
        while let held = queue.popDue(now: now) {
            let base = slots.baseAddress! + Int(held.slot) * slotSize
            body(held, UnsafeRawBufferPointer(start: base, count: Int(held.length)))
            free.append(held.slot)
            released += 1
        }
        return released
    }
}
