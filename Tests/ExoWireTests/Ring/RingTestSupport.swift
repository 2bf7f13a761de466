// Test scaffolding for rings: an aligned region fenced by canary bytes, a peer's raw writes
// into it, real threads (not tasks, which could starve each other), and small helpers.

#if canImport(Glibc)
import Glibc
#endif
import ExoWire
import Synchronization
import Testing

/// Heap memory standing in for a shared mapping, with `guardBytes` of canary pattern on
/// each side so a test can prove that no ring end wrote outside its ring.
final class RingRegion: @unchecked Sendable {
    // @unchecked: the bytes are accessed only atomically (ring ends, `poke`) while shared.
    static let guardBytes = 4096
    static let canary: UInt8 = 0xA5
    let byteCount: Int
    private let allocation: UnsafeMutableRawPointer

    init(byteCount: Int) {
        self.byteCount = byteCount
        allocation = .allocate(byteCount: byteCount + 2 * Self.guardBytes, alignment: 4096)
        allocation.initializeMemory(as: UInt8.self, repeating: Self.canary, count: byteCount + 2 * Self.guardBytes)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
    }

    deinit { allocation.deallocate() }

    private static let kept = Mutex<[RingRegion]>([])

    /// Keeps `region` allocated for the rest of the test process (a few KiB each).
    static func keepAlive(_ region: RingRegion) {
        kept.withLock { $0.append(region) }
    }

    /// The region proper (page-aligned); valid while this object lives.
    var base: UnsafeMutableRawPointer { allocation + Self.guardBytes }

    /// True if no byte around the region changed.
    var canariesIntact: Bool {
        let before = UnsafeRawBufferPointer(start: allocation, count: Self.guardBytes)
        let after = UnsafeRawBufferPointer(start: base + byteCount, count: Self.guardBytes)
        return before.allSatisfy { $0 == Self.canary } && after.allSatisfy { $0 == Self.canary }
    }

    /// Writes a word as a (possibly hostile) peer would: one atomic store at `byteOffset`.
    func poke(_ value: UInt32, at byteOffset: Int) {
        (base + byteOffset).assumingMemoryBound(to: Atomic<UInt32>.self).pointee.store(value, ordering: .releasing)
    }

    /// Reads a word atomically at `byteOffset`.
    func peek(at byteOffset: Int) -> UInt32 {
        (base + byteOffset).assumingMemoryBound(to: Atomic<UInt32>.self).pointee.load(ordering: .acquiring)
    }
}

/// A fresh region holding one initialized ring. The region stays allocated until the test
/// process exits: `RingMemory` is a plain address that does not keep its region alive, and
/// Swift may free an object right after its last use, so a test that kept only the memory
/// (`let (_, memory) = …`) used to run its threads on freed heap that other tests reused.
/// That is what once made the need-wakeup litmus test count a "miss".
func makeRing(capacity: UInt32, startIndex: UInt32 = 0) throws -> (RingRegion, RingMemory) {
    let layout = try RingLayout(capacity: capacity)
    let region = RingRegion(byteCount: layout.byteCount)
    RingRegion.keepAlive(region)
    let memory = RingMemory.initialize(unsafeBase: region.base, layout: layout, startIndex: startIndex)
    return (region, memory)
}

/// Descriptors numbered `first..<first+count`, with a length derived from the number.
func numbered(_ first: UInt32, count: Int) -> [RingDescriptor] {
    (0..<UInt32(count)).map { RingDescriptor(frame: first &+ $0, length: (first &+ $0) & 0x7FF) }
}

extension RingProducer {
    /// Produces an array (tests only: arrays allocate).
    mutating func produce(_ batch: [RingDescriptor]) throws(RingViolation) -> RingPublish {
        try produce(batch.span)
    }
}

extension RingConsumer {
    /// Consumes up to `max` descriptors into a new array (tests only: arrays allocate).
    mutating func take(_ max: Int) throws(RingViolation) -> [RingDescriptor] {
        var buffer = [RingDescriptor](repeating: RingDescriptor(frame: 0, length: 0), count: max)
        let count: Int
        do {
            var span = buffer.mutableSpan
            count = try consume(into: &span)
        }
        return Array(buffer.prefix(count))
    }
}

/// A POSIX thread running `body`; `join()` waits for it. Tests that spin need real threads:
/// two spinning tasks on a two-thread cooperative pool could wait on each other forever.
final class TestThread: @unchecked Sendable {
    // @unchecked: `thread` is written once in init and read once in join, on one thread.
    private var thread = pthread_t()

    init(_ body: @escaping @Sendable () -> Void) {
        final class Box { let body: @Sendable () -> Void; init(_ b: @escaping @Sendable () -> Void) { body = b } }
        let context = Unmanaged.passRetained(Box(body)).toOpaque()
        let status = pthread_create(&thread, nil, { context in
            let box = Unmanaged<Box>.fromOpaque(context!).takeRetainedValue()
            box.body()
            return nil
        }, context)
        precondition(status == 0, "pthread_create failed: \(status)")
    }

    func join() { pthread_join(thread, nil) }
}

/// A flag one thread raises and others poll.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .acquiring) }
    func set() { flag.store(true, ordering: .releasing) }
}

/// Counters threads of one test add to.
final class Tally: Sendable {
    let sleeps = Atomic<Int>(0)
    let lost = Atomic<Int>(0)
    let received = Atomic<Int>(0)
    let misordered = Atomic<Int>(0)
}

/// An eventfd stand-in built from a pipe (ExoWireTests cannot use ExoPlatform): a kick is a
/// byte, and like an eventfd's counter it waits in the pipe until the sleeper reads it.
final class KickPipe: Sendable {
    private let readEnd: Int32
    private let writeEnd: Int32

    init() throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw PipeError(errno: errno) }
        (readEnd, writeEnd) = (fds[0], fds[1])
        _ = fcntl(writeEnd, F_SETFL, O_NONBLOCK)  // a full pipe already holds a kick
        _ = fcntl(readEnd, F_SETFL, O_NONBLOCK)
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    /// Kicks the sleeper.
    func signal() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    /// Waits up to `milliseconds` for a kick and drains every pending one; false on timeout.
    func wait(milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, milliseconds) == 1 else { return false }
        var sink = [UInt8](repeating: 0, count: 256)
        while read(readEnd, &sink, sink.count) > 0 {}
        return true
    }

    struct PipeError: Error { let errno: Int32 }
}
