// A bounded ring of bytes: the send and receive buffers of a stream (TCP's, in part 2).
// Allocated once; writing and reading copy and never allocate.

import ExoPacket

/// A circular buffer of at most `capacity` bytes: `write` appends at the tail, `read` and
/// `discard` take from the head, `copy(from:into:)` reads ahead without taking (for
/// retransmission), `write(_:at:)` and `commit` place bytes beyond the tail first and count
/// them later (TCP's out-of-order data). Counters run modulo the capacity; `count` says how much is held.
struct ByteRing {
    private var storage: [UInt8]
    /// Offset of the oldest byte.
    private var head = 0
    private(set) var count = 0

    init(capacity: Int) {
        precondition(capacity > 0, "an empty ring holds nothing")
        // Left uninitialized on purpose: the ring reads only bytes it wrote (`count`, and the
        // ranges the caller commits, say which), and the pages of a large allocation cost no
        // memory until written. Zero-filling would make every connection resident at its full
        // buffer size from its SYN on: 128 half-open connections under a SYN flood held 64 MB.
        storage = [UInt8](unsafeUninitializedCapacity: capacity) { _, initialized in initialized = capacity }
    }

    /// A ring of no bytes, holding no memory: what a connection keeps once it can never
    /// again send or deliver data (TIME_WAIT after the application closed it).
    static var released: ByteRing { ByteRing() }

    private init() {
        storage = []
    }

    var capacity: Int { storage.count }
    var freeSpace: Int { storage.count - count }
    var isEmpty: Bool { count == 0 }
    var isFull: Bool { count == storage.count }

    /// Appends as much of `bytes` as fits; returns how many bytes it took.
    @discardableResult
    mutating func write(_ bytes: PacketBytes) -> Int {
        let taken = min(bytes.count, freeSpace)
        guard taken > 0 else { return 0 }
        var tail = head + count
        if tail >= storage.count { tail -= storage.count }
        let first = min(taken, storage.count - tail)
        storage.withUnsafeMutableBytes { buffer in
            let ring = MutablePacketBytes(unsafeBuffer: buffer)
            ring.copy(bytes.prefix(first), to: tail)
            if taken > first { ring.copy(bytes.slice(first, taken - first), to: 0) }
        }
        count += taken
        return taken
    }

    /// Copies as much of `bytes` as fits into the free space starting `offset` bytes past the
    /// tail, without counting them as held (out-of-order data waiting for the hole before it);
    /// returns how many bytes it copied. `commit` later counts them.
    @discardableResult
    mutating func write(_ bytes: PacketBytes, at offset: Int) -> Int {
        guard offset >= 0, offset < freeSpace else { return 0 }
        let taken = min(bytes.count, freeSpace - offset)
        guard taken > 0 else { return 0 }
        var start = head + count + offset
        while start >= storage.count { start -= storage.count }
        let first = min(taken, storage.count - start)
        storage.withUnsafeMutableBytes { buffer in
            let ring = MutablePacketBytes(unsafeBuffer: buffer)
            ring.copy(bytes.prefix(first), to: start)
            if taken > first { ring.copy(bytes.slice(first, taken - first), to: 0) }
        }
        return taken
    }

    /// Counts `length` bytes already written at the tail (by `write(_:at:)`) as held, up to
    /// the free space; returns how many it counted.
    @discardableResult
    mutating func commit(_ length: Int) -> Int {
        let counted = min(max(length, 0), freeSpace)
        count += counted
        return counted
    }

    /// Copies up to `destination.count` bytes starting `offset` bytes after the head into
    /// `destination`, leaving them in the ring; returns how many it copied.
    func copy(from offset: Int, into destination: MutablePacketBytes) -> Int {
        guard offset >= 0, offset < count else { return 0 }
        let length = min(destination.count, count - offset)
        var start = head + offset
        if start >= storage.count { start -= storage.count }
        let first = min(length, storage.count - start)
        storage.withUnsafeBytes { buffer in
            let ring = PacketBytes(unsafeBuffer: buffer)
            destination.copy(ring.slice(start, first), to: 0)
            if length > first { destination.copy(ring.prefix(length - first), to: first) }
        }
        return length
    }

    /// Removes up to `length` bytes from the head; returns how many it removed.
    @discardableResult
    mutating func discard(_ length: Int) -> Int {
        let removed = min(max(length, 0), count)
        head += removed
        if head >= storage.count { head -= storage.count }
        count -= removed
        // The head does not jump back to 0 when the ring empties: bytes written past the tail
        // by `write(_:at:)` must stay where the tail will reach them.
        return removed
    }

    /// Moves up to `destination.count` bytes from the head into `destination`.
    mutating func read(into destination: MutablePacketBytes) -> Int {
        discard(copy(from: 0, into: destination))
    }
}
