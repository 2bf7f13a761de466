// The bound check applied to every descriptor a peer posts: frame in the pool, length
// within a frame, no undefined flag bits.

import ExoWire
import Testing

@Suite("Frame bounds")
struct FrameBoundsTests {
    @Test("a descriptor passes exactly when frame < count, length <= size and flags == 0")
    func exhaustiveSmallPool() {
        let lengths: [UInt32] = [0, 1, 15, 16, 17, UInt32.max]
        let flags: [UInt32] = [0, 1, 0x8000_0000]
        for count in UInt32(0)...4 {
            for size in [UInt32(0), 1, 16] {
                let bounds = FrameBounds(frameCount: count, frameSize: size)
                for frame in [UInt32(0), 1, 3, 4, 5, UInt32.max] {
                    for length in lengths {
                        for flag in flags {
                            let d = RingDescriptor(frame: frame, length: length, flags: flag)
                            let valid = frame < count && length <= size && flag == 0
                            #expect((bounds.check(d) == nil) == valid)
                        }
                    }
                }
            }
        }
    }

    @Test("the fault names the first bad field: frame, then length, then flags")
    func faultOrder() {
        let bounds = FrameBounds(frameCount: 10, frameSize: 4096)
        #expect(bounds.check(RingDescriptor(frame: 10, length: 5000, flags: 1)) == .frameOutOfRange(10))
        #expect(bounds.check(RingDescriptor(frame: 9, length: 4097, flags: 1)) == .lengthTooLarge(4097))
        #expect(bounds.check(RingDescriptor(frame: 9, length: 4096, flags: 2)) == .unknownFlags(2))
        #expect(bounds.check(RingDescriptor(frame: 9, length: 4096)) == nil)
    }
}
