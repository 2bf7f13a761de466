// Millions of descriptors between a producer and a consumer on two threads, over one
// allocation and over two mappings of one shared file: every entry arrives once, in order.

#if canImport(Glibc)
import Glibc
#endif
import ExoWire
import Synchronization
import Testing

@Suite("Ring stress")
struct RingStressTests {
    @Test("four million descriptors cross between two threads in order, none lost or repeated")
    func twoThreads() throws {
        let (region, memory) = try makeRing(capacity: 256, startIndex: UInt32.max - 1_000)
        let result = transfer(total: 4_000_000, producerSide: memory, consumerSide: memory, startIndex: UInt32.max - 1_000)
        #expect(result.received == 4_000_000)
        #expect(result.misordered == 0)
        #expect(region.canariesIntact)
    }

    @Test("a ring works across two mappings of one shared file, as between two processes")
    func twoMappings() throws {
        let layout = try SessionRingsLayout(capacity: 512)
        let file = try SharedFile(byteCount: layout.byteCount)
        let daemonView = try file.map()
        let tenantView = try file.map()
        defer { file.unmap(daemonView); file.unmap(tenantView) }
        #expect(daemonView != tenantView)
        layout.initialize(unsafeRegion: daemonView)
        // The tenant produces on tx through its mapping; the daemon consumes through its own.
        let tx = (tenant: layout.memory(of: .tx, unsafeRegion: tenantView), daemon: layout.memory(of: .tx, unsafeRegion: daemonView))
        let result = transfer(total: 1_000_000, producerSide: tx.tenant, consumerSide: tx.daemon, startIndex: 0)
        #expect(result.received == 1_000_000)
        #expect(result.misordered == 0)
        #expect(tx.daemon.sharedProducerIndex == 1_000_000)
        #expect(tx.tenant.sharedConsumerIndex == 1_000_000)
    }
}

/// Sends `total` numbered descriptors from a producer thread to this thread's consumer in
/// random batch sizes, checking each arrival; both sides spin (yielding) when blocked.
private func transfer(
    total: Int, producerSide: RingMemory, consumerSide: RingMemory, startIndex: UInt32
) -> (received: Int, misordered: Int) {
    let producerThread = TestThread {
        var producer = RingProducer(memory: producerSide, startIndex: startIndex)
        var random = SeededGenerator(seed: 0x57E5)
        var batch = [RingDescriptor](repeating: RingDescriptor(frame: 0, length: 0), count: 64)
        var next = 0
        while next < total {
            let size = min(Int.random(in: 1...64, using: &random), total - next)
            for i in 0..<size {
                let n = UInt32(truncatingIfNeeded: next + i)
                batch[i] = RingDescriptor(frame: n, length: n & 0x7FF)
            }
            guard let publish = try? producer.produce(batch.span.extracting(0..<size)) else { return }
            next += publish.count
            if publish.count == 0 { sched_yield() }
        }
    }
    var consumer = RingConsumer(memory: consumerSide, startIndex: startIndex)
    var random = SeededGenerator(seed: 0xC0_5E)
    var buffer = [RingDescriptor](repeating: RingDescriptor(frame: 0, length: 0), count: 64)
    var (received, misordered) = (0, 0)
    while received < total {
        let count: Int
        do {
            var span = buffer.mutableSpan
            guard let taken = try? consumer.consume(into: &span, max: Int.random(in: 1...64, using: &random)) else { break }
            count = taken
        }
        for i in 0..<count {
            let n = UInt32(truncatingIfNeeded: received + i)
            if buffer[i] != RingDescriptor(frame: n, length: n & 0x7FF) { misordered += 1 }
        }
        received += count
        if count == 0 { sched_yield() }
    }
    producerThread.join()
    return (received, misordered)
}

/// An unlinked file in /dev/shm, mapped as often as a test likes (each mapping is what a
/// separate process would see). Closed on deinit; mappings are unmapped by the test.
private final class SharedFile {
    let fd: Int32
    let byteCount: Int

    init(byteCount: Int) throws {
        var template = Array("/dev/shm/exo-ring-test-XXXXXX".utf8CString)
        fd = mkstemp(&template)
        guard fd >= 0 else { throw MapError.open(errno) }
        unlink(template)
        self.byteCount = byteCount
        guard ftruncate(fd, off_t(byteCount)) == 0 else { throw MapError.truncate(errno) }
    }

    deinit { close(fd) }

    func map() throws -> UnsafeMutableRawPointer {
        guard let base = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), base != MAP_FAILED
        else { throw MapError.map(errno) }
        return base
    }

    func unmap(_ base: UnsafeMutableRawPointer) { munmap(base, byteCount) }

    enum MapError: Error { case open(Int32), truncate(Int32), map(Int32) }
}
