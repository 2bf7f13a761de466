// The byte ring's write-ahead: bytes placed past the tail (out-of-order TCP data) stay out of
// `count` until committed, fit only in the free space, wrap, and survive the ring emptying;
// with the receive assembler, random segments come out as the original stream.

import ExoImpairment
import ExoPacket
import Testing

@testable import ExOS

@Suite struct ByteRingTests {
    private func write(_ ring: inout ByteRing, _ bytes: [UInt8], at offset: Int) -> Int {
        bytes.withUnsafeBytes { ring.write(PacketBytes(unsafeBuffer: $0), at: offset) }
    }

    private func append(_ ring: inout ByteRing, _ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { ring.write(PacketBytes(unsafeBuffer: $0)) }
    }

    private func read(_ ring: inout ByteRing, _ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let n = MutablePacketBytes.with(&out) { ring.read(into: $0) }
        return Array(out.prefix(n))
    }

    @Test func bytesWrittenAheadAreHeldOnlyOnceCommitted() {
        var ring = ByteRing(capacity: 8)
        #expect(write(&ring, [3, 4], at: 2) == 2)
        #expect(ring.isEmpty && ring.freeSpace == 8)
        #expect(write(&ring, [1, 2], at: 0) == 2)
        #expect(ring.commit(4) == 4)
        #expect(ring.count == 4)
        #expect(read(&ring, 8) == [1, 2, 3, 4])
    }

    @Test func writingAheadFitsOnlyTheFreeSpace() {
        var ring = ByteRing(capacity: 8)
        #expect(append(&ring, [1, 2, 3]) == 3)
        #expect(write(&ring, [9, 9, 9, 9], at: 3) == 2)  // free space is 5: offsets 3 and 4 fit
        #expect(write(&ring, [9], at: 5) == 0)
        #expect(write(&ring, [9], at: -1) == 0)
        #expect(ring.commit(100) == 5)  // never beyond capacity
        #expect(ring.isFull)
        #expect(ring.commit(1) == 0)
    }

    @Test func writingAheadWrapsAroundTheEnd() {
        var ring = ByteRing(capacity: 8)
        #expect(append(&ring, [1, 2, 3, 4, 5, 6]) == 6)
        #expect(read(&ring, 5) == [1, 2, 3, 4, 5])  // head 5, tail 6
        #expect(write(&ring, [10, 11, 12, 13], at: 2) == 4)  // slots 0 to 3, past the end
        #expect(write(&ring, [7, 8], at: 0) == 2)  // slots 6 and 7
        #expect(ring.commit(6) == 6)
        #expect(read(&ring, 10) == [6, 7, 8, 10, 11, 12, 13])
    }

    @Test func bytesWrittenAheadSurviveTheRingEmptying() {
        var ring = ByteRing(capacity: 8)
        #expect(append(&ring, [1, 2, 3]) == 3)
        #expect(write(&ring, [5], at: 1) == 1)
        #expect(read(&ring, 3) == [1, 2, 3])  // empty now; the tail must not move
        #expect(write(&ring, [4], at: 0) == 1)
        #expect(ring.commit(2) == 2)
        #expect(read(&ring, 2) == [4, 5])
    }

    @Test func randomSegmentsThroughTheAssemblerComeOutAsTheStream() {
        for seed: UInt64 in 1...10 {
            var random = SeededRandom(seed: seed)
            let stream = (0..<5000).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            var ring = ByteRing(capacity: 64 + Int(random.below(200)))
            var assembler = ReceiveAssembler(maximumRanges: 4)
            var next = 0  // RCV.NXT as a stream offset
            var received: [UInt8] = []
            while received.count < stream.count {
                // A segment near RCV.NXT: old, in order or ahead, as a lossy, reordering path delivers.
                let start = max(0, next - 20 + Int(random.below(UInt64(ring.capacity))))
                let end = min(stream.count, start + 1 + Int(random.below(40)))
                if start < end {
                    let skip = max(next - start, 0)
                    let offset = start + skip - next
                    let bytes = Array(stream[(start + skip)..<max(end, start + skip)])
                    let stored = write(&ring, bytes, at: offset)
                    if offset == 0 {
                        let extra = assembler.advance(by: stored)
                        #expect(ring.commit(stored + extra) == stored + extra, "seed \(seed)")
                        next += stored + extra
                    } else if stored > 0 {
                        _ = assembler.insert(offset: offset, length: stored)
                    }
                }
                if random.chance(0.3) { received += read(&ring, Int(random.below(100))) }
            }
            #expect(received == stream, "seed \(seed)")
        }
    }
}
