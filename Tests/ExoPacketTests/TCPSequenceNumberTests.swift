import ExoPacket
import Testing

@Suite("TCP sequence numbers compare modulo 2³²")
struct TCPSequenceNumberTests {
    @Test("before and after hold across the wrap")
    func wrapComparison() {
        let nearEnd = TCPSequenceNumber(UInt32.max - 10)
        let afterWrap = nearEnd + 20
        #expect(afterWrap.rawValue == 9)
        #expect(nearEnd.isBefore(afterWrap))
        #expect(afterWrap.isAfter(nearEnd))
        #expect(afterWrap - nearEnd == 20)
        #expect(nearEnd - afterWrap == -20)
        #expect(TCPSequenceNumber.max(nearEnd, afterWrap) == afterWrap)
        #expect(TCPSequenceNumber.min(nearEnd, afterWrap) == nearEnd)
    }

    @Test("a number is neither before nor after itself", arguments: [0, 1, 0x7FFF_FFFF, 0x8000_0000, UInt32.max])
    func irreflexive(raw: UInt32) {
        let n = TCPSequenceNumber(raw)
        #expect(!n.isBefore(n) && !n.isAfter(n))
        #expect(n.isWithin(n, length: 1))
        #expect(!n.isWithin(n, length: 0))
    }

    @Test("within a window starting anywhere, including across the wrap")
    func within() {
        for start in [UInt32(0), 100, UInt32.max - 3] {
            let s = TCPSequenceNumber(start)
            #expect((s + 7).isWithin(s, length: 8))
            #expect(!(s + 8).isWithin(s, length: 8))
            #expect(!(s - 1).isWithin(s, length: 8))
        }
    }

    @Test("adding then subtracting returns the start, for random values")
    func roundTrip() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<1000 {
            let s = TCPSequenceNumber(UInt32.random(in: 0...UInt32.max, using: &generator))
            let d = Int.random(in: -(1 << 30)...(1 << 30), using: &generator)
            #expect((s + d) - s == d)
            #expect((s + d) - d == s)
        }
    }
}
