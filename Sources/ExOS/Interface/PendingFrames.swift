// Frames built but waiting for their neighbor's MAC: a fixed pool of frame-sized slots and
// an intrusive FIFO per unresolved neighbor, so one slow resolution cannot hold up traffic
// to other neighbors, and neither one neighbor nor all of them can take unbounded memory.

import ExoPacket

/// Which socket a pending frame came from, to tell it when the frame is dropped.
enum PacketOrigin: Equatable {
    case stack
    case udp(SlotHandle)
    case pinger(SlotHandle)
    case tcp(SlotHandle)
}

/// A FIFO of pool slots (head, tail, count), kept by its owner (a neighbor entry).
struct PendingList: Equatable {
    var head: Int32 = -1
    var tail: Int32 = -1
    var count = 0
    var isEmpty: Bool { count == 0 }
}

/// `slots` frames of at most `slotSize` bytes, allocated once.
struct PendingFrames {
    private var storage: [UInt8]
    private var lengths: [Int]
    private var origins: [PacketOrigin]
    private var links: [Int32]
    private var freeHead: Int32
    private(set) var freeCount: Int
    let slotSize: Int

    init(slots: Int, slotSize: Int) {
        let slots = max(slots, 1)
        storage = [UInt8](repeating: 0, count: slots * slotSize)
        lengths = Array(repeating: 0, count: slots)
        origins = Array(repeating: .stack, count: slots)
        links = (0..<slots).map { Int32($0 + 1 < slots ? $0 + 1 : -1) }
        freeHead = 0
        freeCount = slots
        self.slotSize = slotSize
    }

    /// Appends a frame of `length` bytes written by `fill` to `list`; false when the pool
    /// has no free slot or the frame is larger than a slot.
    mutating func append(
        to list: inout PendingList, length: Int, origin: PacketOrigin, fill: (MutablePacketBytes) -> Void
    ) -> Bool {
        guard freeHead >= 0, length <= slotSize else { return false }
        let slot = Int(freeHead)
        freeHead = links[slot]
        freeCount -= 1
        storage.withUnsafeMutableBytes { buffer in
            fill(MutablePacketBytes(unsafeBuffer: buffer).slice(slot * slotSize, length))
        }
        lengths[slot] = length
        origins[slot] = origin
        link(slot, to: &list)
        return true
    }

    private mutating func link(_ slot: Int, to list: inout PendingList) {
        links[slot] = -1
        if list.tail >= 0 { links[Int(list.tail)] = Int32(slot) } else { list.head = Int32(slot) }
        list.tail = Int32(slot)
        list.count += 1
    }

    /// Unlinks the first slot of `list` (the caller frees or relinks it).
    mutating func popFront(_ list: inout PendingList) -> Int? {
        guard list.head >= 0 else { return nil }
        let slot = Int(list.head)
        list.head = links[slot]
        if list.head < 0 { list.tail = -1 }
        list.count -= 1
        return slot
    }

    /// Moves every slot of `from` to the end of `to`, calling `visit` on each frame.
    mutating func moveAll(from: inout PendingList, to: inout PendingList, visit: (MutablePacketBytes) -> Void) {
        while let slot = popFront(&from) {
            withFrame(slot, visit)
            link(slot, to: &to)
        }
    }

    func origin(of slot: Int) -> PacketOrigin { origins[slot] }

    /// Lends slot `slot`'s frame, writable.
    mutating func withFrame<Result>(_ slot: Int, _ body: (MutablePacketBytes) -> Result) -> Result {
        let length = lengths[slot]
        let size = slotSize
        return storage.withUnsafeMutableBytes { buffer in
            body(MutablePacketBytes(unsafeBuffer: buffer).slice(slot * size, length))
        }
    }

    /// Returns `slot` to the pool.
    mutating func free(_ slot: Int) {
        links[slot] = freeHead
        freeHead = Int32(slot)
        freeCount += 1
    }
}
