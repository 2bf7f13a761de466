// Specification of the data path's frame bitmap: it behaves as a Set<FrameNumber> over the
// pool's range, and frames outside the range are never members.

import Testing

@testable import ExoDaemon

@Suite("FrameSet")
struct FrameSetTests {
    @Test("random inserts and removes agree with a Set, including word edges and out-of-range frames")
    func agreesWithASet() {
        var generator = SystemRandomNumberGenerator()
        for capacity in [1, 63, 64, 65, 130, 4096] as [UInt32] {
            var bits = FrameSet(capacity: capacity)
            var model = Set<UInt32>()
            for _ in 0..<5_000 {
                let frame = UInt32.random(in: 0...(capacity + 70), using: &generator)
                if Bool.random(using: &generator) {
                    let inserted = bits.insert(frame)
                    #expect(inserted == (frame < capacity && model.insert(frame).inserted))
                } else {
                    bits.remove(frame)
                    model.remove(frame)
                }
                #expect(bits.contains(frame) == model.contains(frame))
                #expect(bits.count == model.count)
            }
            for frame in 0..<(capacity + 70) { #expect(bits.contains(frame) == model.contains(frame)) }
            bits.removeAll()
            #expect(bits.count == 0)
            #expect(!(0..<capacity).contains { bits.contains($0) })
        }
    }
}
