// A bounded FIFO of packets with a small header each, stored in one preallocated byte
// buffer: a socket's receive or transmit queue, the stack's queue of ready-made frames.

import ExoPacket

/// A FIFO of at most `packetCapacity` packets and `byteCapacity` bytes. Each packet is kept
/// contiguous (a packet that does not fit before the end of the buffer starts again at its
/// beginning, leaving the tail unused until the packets before it leave). Storage is
/// allocated once, in `init`; enqueueing and dequeueing never allocate.
struct PacketQueue<Metadata> {
    private struct Entry {
        var offset: Int
        var length: Int
        var metadata: Metadata
    }

    private var storage: [UInt8]
    private var entries: [Entry]
    private var head = 0
    private(set) var count = 0
    /// Where the next packet goes when the buffer has not wrapped behind the oldest packet.
    private var writeOffset = 0

    /// A queue of `packets` packets and `bytes` bytes; `filler` initialises unused entries.
    init(packets: Int, bytes: Int, filler: Metadata) {
        precondition(packets > 0 && bytes > 0, "an empty queue holds nothing")
        storage = [UInt8](repeating: 0, count: bytes)
        entries = Array(repeating: Entry(offset: 0, length: 0, metadata: filler), count: packets)
    }

    var packetCapacity: Int { entries.count }
    var byteCapacity: Int { storage.count }
    var isEmpty: Bool { count == 0 }
    var isFull: Bool { count == entries.count }

    /// Where a packet of `length` bytes would go, or nil when there is no room.
    private func placement(for length: Int) -> Int? {
        guard count < entries.count else { return nil }
        // Zero-length packets take one byte, so a non-empty queue always has write > oldest.
        let needed = max(length, 1)
        guard count > 0 else { return needed <= storage.count ? 0 : nil }
        let oldest = entries[head].offset
        if writeOffset > oldest {
            // Free: [writeOffset, end) and [0, oldest).
            if needed <= storage.count - writeOffset { return writeOffset }
            return needed <= oldest ? 0 : nil
        }
        // Wrapped: free is [writeOffset, oldest).
        return needed <= oldest - writeOffset ? writeOffset : nil
    }

    /// True when a packet of `length` bytes would fit now.
    func canEnqueue(length: Int) -> Bool { placement(for: length) != nil }

    /// Appends a packet of `length` bytes that `fill` writes; false (nothing added, `fill`
    /// not called) when there is no room.
    @discardableResult
    mutating func enqueue(length: Int, metadata: Metadata, fill: (MutablePacketBytes) -> Void) -> Bool {
        guard length >= 0, let offset = placement(for: length) else { return false }
        storage.withUnsafeMutableBytes { buffer in
            fill(MutablePacketBytes(unsafeBuffer: buffer).slice(offset, length))
        }
        var tail = head + count
        if tail >= entries.count { tail -= entries.count }
        entries[tail] = Entry(offset: offset, length: length, metadata: metadata)
        count += 1
        writeOffset = offset + max(length, 1)
        return true
    }

    /// The oldest packet's header; nil when empty.
    var frontMetadata: Metadata? { count > 0 ? entries[head].metadata : nil }

    /// Lends the oldest packet to `body` without removing it.
    func withFront<Result>(_ body: (Metadata, PacketBytes) -> Result) -> Result? {
        guard count > 0 else { return nil }
        let entry = entries[head]
        return storage.withUnsafeBytes { buffer in
            body(entry.metadata, PacketBytes(unsafeBuffer: buffer).slice(entry.offset, entry.length))
        }
    }

    /// Removes the oldest packet (if any).
    mutating func removeFront() {
        guard count > 0 else { return }
        head += 1
        if head == entries.count { head = 0 }
        count -= 1
        if count == 0 { writeOffset = 0 }
    }

    /// Removes every packet.
    mutating func removeAll() {
        head = 0
        count = 0
        writeOffset = 0
    }
}
