// The Internet checksum against a plain word-by-word reference (RFC 1071's algorithm) on
// random data of every length and alignment, plus the properties a checksum must have.
import ExoPacket
import Testing

/// RFC 1071 written the obvious way: 16-bit big-endian words, carries folded at the end.
func referenceChecksum(_ bytes: [UInt8]) -> UInt16 {
    var sum: UInt32 = 0
    var index = 0
    while index + 1 < bytes.count {
        sum += UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1])
        index += 2
    }
    if index < bytes.count { sum += UInt32(bytes[index]) << 8 }
    while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
    return ~UInt16(sum)
}

@Suite struct InternetChecksumTests {
    @Test func rfc1071ExampleSumsAsTheRFCSays() {
        // RFC 1071 §3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0xddf2.
        let bytes = PacketSamples.hex("00 01 f2 03 f4 f5 f6 f7")
        withPacket(bytes) { packet in
            var sum = InternetChecksum()
            sum.add(packet)
            #expect(sum.sum == 0xDDF2)
            #expect(sum.value == ~UInt16(0xDDF2))
        }
    }

    @Test func matchesTheReferenceForEveryLengthAndOffset() {
        var rng = SeededGenerator(seed: 1071)
        let data = (0..<2100).map { _ in UInt8.random(in: 0...255, using: &rng) }
        for length in 0..<300 {
            for offset in 0..<8 {
                let slice = Array(data[offset..<(offset + length)])
                withPacket(data) { packet in
                    #expect(InternetChecksum.of(packet.slice(offset, length)) == referenceChecksum(slice), "len \(length) off \(offset)")
                }
            }
        }
    }

    @Test func matchesTheReferenceOnLongRandomBuffers() {
        var rng = SeededGenerator(seed: 42)
        for _ in 0..<200 {
            let length = Int.random(in: 0...9000, using: &rng)
            // Biased towards 0xFF so carries happen on every word.
            let bytes = (0..<length).map { _ in Bool.random(using: &rng) ? 0xFF : UInt8.random(in: 0...255, using: &rng) }
            withPacket(bytes) { #expect(InternetChecksum.of($0) == referenceChecksum(bytes)) }
        }
    }

    @Test func allOnesBuffersCarryCorrectly() {
        for length in [8, 16, 64, 1500, 65_535] {
            let bytes = [UInt8](repeating: 0xFF, count: length)
            withPacket(bytes) { #expect(InternetChecksum.of($0) == referenceChecksum(bytes), "\(length)") }
        }
    }

    @Test func storingTheChecksumMakesTheDataVerify() {
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<500 {
            var bytes = (0..<Int.random(in: 1...200, using: &rng) * 2).map { _ in UInt8.random(in: 0...255, using: &rng) }
            bytes[0] = 0
            bytes[1] = 0
            let value = withPacket(bytes) { InternetChecksum.of($0) }
            bytes[0] = UInt8(value >> 8)
            bytes[1] = UInt8(value & 0xFF)
            withPacket(bytes) { packet in
                var sum = InternetChecksum()
                sum.add(packet)
                #expect(sum.verifies)
            }
        }
    }

    @Test func anySingleBitFlipIsDetected() {
        var rng = SeededGenerator(seed: 99)
        let bytes = (0..<64).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let original = withPacket(bytes) { InternetChecksum.of($0) }
        for index in bytes.indices {
            for bit in 0..<8 {
                var flipped = bytes
                flipped[index] ^= 1 << bit
                withPacket(flipped) { #expect(InternetChecksum.of($0) != original) }
            }
        }
    }

    @Test func addingInPiecesOfEvenLengthEqualsAddingAtOnce() {
        var rng = SeededGenerator(seed: 3)
        for _ in 0..<300 {
            let bytes = (0..<Int.random(in: 0...400, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let cut = Int.random(in: 0...(bytes.count / 2), using: &rng) * 2
            withPacket(bytes) { packet in
                var pieces = InternetChecksum()
                pieces.add(packet.prefix(cut))
                pieces.add(packet.dropFirst(cut))
                #expect(pieces.value == InternetChecksum.of(packet))
            }
        }
    }

    /// The property the wide loop must keep: however a buffer is cut into even-length pieces
    /// (the last may be odd), wherever each piece starts in memory, and however long (up to
    /// a 64 KiB segment), the running sum equals RFC 1071's word-by-word reference.
    @Test func randomPiecesAtRandomAlignmentsMatchTheReference() {
        var rng = SeededGenerator(seed: 0x1071)
        for round in 0..<300 {
            let length =
                round % 10 == 0 ? Int.random(in: 60_000...65_535, using: &rng) : Int.random(in: 0...3000, using: &rng)
            let bytes = (0..<length).map { _ in Bool.random(using: &rng) ? 0xFF : UInt8.random(in: 0...255, using: &rng)
            }
            let shift = Int.random(in: 0...7, using: &rng)
            let padded = [UInt8](repeating: 0xA5, count: shift) + bytes
            withPacket(padded) { packet in
                var sum = InternetChecksum()
                var offset = 0
                while offset < length {
                    var piece = min(Int.random(in: 0...1600, using: &rng) * 2, length - offset)
                    if offset + piece < length, piece % 2 == 1 { piece -= 1 }
                    if piece == 0 { piece = min(2, length - offset) }
                    sum.add(packet.slice(shift + offset, piece))
                    offset += piece
                }
                #expect(sum.value == referenceChecksum(bytes), "round \(round), \(length) bytes at +\(shift)")
            }
        }
    }

    @Test func numericAddsEqualTheirBytes() {
        var numeric = InternetChecksum()
        numeric.add(UInt32(0x0A4D_0001))
        numeric.add(UInt16(0x1234))
        withPacket(PacketSamples.hex("0a 4d 00 01 12 34")) { #expect(numeric.value == InternetChecksum.of($0)) }
    }

    @Test func pseudoHeaderMatchesItsBytes() {
        let sum = InternetChecksum(pseudoHeaderSource: PacketSamples.host, destination: PacketSamples.tenant, protocol: .udp, length: 14)
        withPacket(PacketSamples.hex("0a 4d 00 01 0a 4d 00 02 00 11 00 0e")) { #expect(sum.value == InternetChecksum.of($0)) }
    }
}
