// RFC 6528 ISNs: a 4 µs clock plus a keyed hash of the four-tuple.
import ExoPacket
import Testing

@testable import ExOS

@Suite struct InitialSequenceNumbersTests {
    static let local = IPv4Address(10, 0, 0, 1)
    static let remote = IPv4Address(192, 0, 2, 7)
    static let now = Instant(nanoseconds: 5_000_000_000)

    static func isn(
        _ generator: InitialSequenceNumbers, localPort: UInt16 = 80, remote: IPv4Address = remote,
        remotePort: UInt16 = 40000, now: Instant = now
    ) -> TCPSequenceNumber {
        generator.make(
            localAddress: local, localPort: localPort, remoteAddress: remote, remotePort: remotePort, now: now)
    }

    @Test func differentTuplesGetUnrelatedNumbers() {
        let generator = InitialSequenceNumbers(secret: 0x1234)
        var seen: Set<UInt32> = []
        for port in UInt16(40000)..<40100 {
            seen.insert(Self.isn(generator, remotePort: port).rawValue)
            seen.insert(Self.isn(generator, localPort: port).rawValue)
        }
        seen.insert(Self.isn(generator, remote: IPv4Address(192, 0, 2, 8)).rawValue)
        #expect(seen.count == 201)
        // Neighbouring ports are not neighbouring numbers (the hash, not a counter, separates them).
        let a = Self.isn(generator, remotePort: 40000)
        let b = Self.isn(generator, remotePort: 40001)
        #expect(abs(b - a) > 1_000_000)
    }

    @Test func theSameTupleAdvances250000ASecond() {
        let generator = InitialSequenceNumbers(secret: 0x1234)
        let first = Self.isn(generator)
        #expect(Self.isn(generator) == first)
        #expect(Self.isn(generator, now: Self.now + .microseconds(4)) == first + 1)
        #expect(Self.isn(generator, now: Self.now + .microseconds(3)) == first)
        #expect(Self.isn(generator, now: Self.now + .seconds(1)) - first == 250_000)
        #expect(Self.isn(generator, now: Self.now + .seconds(60)) == first + 15_000_000)
    }

    @Test func theNumbersAreUnpredictableWithoutTheSecret() {
        // The same tuple at the same instant under 1,000 secrets: all different, and each of
        // the 32 bits set in about half of them (a fixed or guessable offset would not be).
        let values = (0..<1000).map { Self.isn(InitialSequenceNumbers(secret: UInt64($0) &* 0x9E37_79B9)).rawValue }
        #expect(Set(values).count == 1000)
        for bit in 0..<32 {
            let ones = values.filter { $0 >> UInt32(bit) & 1 == 1 }.count
            #expect((400...600).contains(ones), "bit \(bit) set in \(ones) of 1000")
        }
    }
}
