// Hostile input at the TCP option parser and TCPRepr: 100,000 random and mutated inputs
// each. Nothing may trap; whatever parses must emit bytes that parse to the same value
// (less the SACK blocks that do not fit after the other options, which emit leaves out).
import ExoPacket
import Testing

@Suite struct TCPFuzzTests {
    static let iterations = 100_000
    static let seed: UInt64 = 0x7C9_0001

    /// `options` as emit can carry them: the SACK blocks cut to those that fit.
    static func emittable(_ options: TCPOptions) -> TCPOptions {
        var expected = options
        expected.sackBlocks.removeAll(after: options.emittedSACKBlockCount)
        return expected
    }

    /// Real option areas to mutate, from Linux captures and the writer's own shapes.
    static let optionSeeds: [[UInt8]] =
        TCPSamples.all.map { Array($0[20..<(Int($0[12] >> 4) * 4)]) } + [
            [2, 4, 5, 0xB4, 1, 1, 4, 2, 1, 3, 3, 7, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2],
            [1, 1, 5, 34] + [UInt8](repeating: 9, count: 32),
        ]

    static func mutate(_ input: [UInt8], using random: inout SeededGenerator) -> [UInt8] {
        var bytes = input
        switch Int.random(in: 0..<4, using: &random) {
        case 0:  // fresh random bytes
            bytes = (0..<Int.random(in: 0...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        case 1:  // a few bytes changed, option kinds and lengths likeliest to matter
            for _ in 0..<Int.random(in: 1...3, using: &random) where !bytes.isEmpty {
                let value: UInt8 =
                    Bool.random(using: &random)
                    ? UInt8.random(in: 0...10, using: &random) : .random(in: 0...255, using: &random)
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = value
            }
        case 2:  // cut short
            bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
        default:  // a random option spliced in
            let kind = UInt8.random(in: 0...10, using: &random)
            let length = UInt8.random(in: 0...12, using: &random)
            let option = [kind, length] + (0..<Int(length)).map { _ in UInt8.random(in: 0...255, using: &random) }
            bytes.insert(contentsOf: option, at: Int.random(in: 0...bytes.count, using: &random))
            bytes = Array(bytes.prefix(TCPOptions.maximumLength))
        }
        return bytes
    }

    @Test func optionParserSurvivesAndRoundTrips() throws {
        var random = SeededGenerator(seed: Self.seed)
        var accepted = 0
        var refused = 0
        for _ in 0..<Self.iterations {
            let seed = Self.optionSeeds[Int.random(in: 0..<Self.optionSeeds.count, using: &random)]
            let input = Self.mutate(seed, using: &random)
            guard let options = try? parseOptions(input) else {
                refused += 1
                continue
            }
            accepted += 1
            let emitted = emitOptions(options)
            #expect(emitted.count % 4 == 0 && emitted.count <= TCPOptions.maximumLength)
            let reparsed = try parseOptions(emitted)
            #expect(reparsed == Self.emittable(options), "seed \(Self.seed): \(input)")
        }
        #expect(accepted > 1_000 && refused > 1_000, "accepted \(accepted), refused \(refused)")
    }

    /// Writes the checksum a segment between the sample addresses needs.
    static func fixChecksum(_ segment: inout [UInt8]) {
        guard segment.count >= 20 else { return }
        segment[16] = 0
        segment[17] = 0
        let value = segment.withUnsafeBytes { buffer in
            var sum = InternetChecksum(
                pseudoHeaderSource: TCPSamples.linux, destination: TCPSamples.peer, protocol: .tcp,
                length: UInt16(buffer.count))
            sum.add(PacketBytes(unsafeBuffer: buffer))
            return sum.value
        }
        segment[16] = UInt8(value >> 8)
        segment[17] = UInt8(value & 0xFF)
    }

    @Test func reprParserSurvivesAndRoundTrips() throws {
        var random = SeededGenerator(seed: Self.seed ^ 0xABCD)
        var counts: [String: Int] = [:]
        for _ in 0..<Self.iterations {
            var segment = TCPSamples.all[Int.random(in: 0..<TCPSamples.all.count, using: &random)]
            switch Int.random(in: 0..<3, using: &random) {
            case 0:  // the options area rewritten
                let headerLength = Int(segment[12] >> 4) * 4
                var options = Self.mutate(Array(segment[20..<headerLength]), using: &random)
                options += [UInt8](repeating: 0, count: (4 - options.count % 4) % 4)
                segment.replaceSubrange(20..<headerLength, with: options)
                segment[12] = UInt8((20 + options.count) / 4) << 4 | (segment[12] & 0x0F)
            case 1:  // any bytes changed, the data offset included
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    segment[Int.random(in: 0..<segment.count, using: &random)] = .random(in: 0...255, using: &random)
                }
            default:  // cut short
                segment = Array(segment.prefix(Int.random(in: 0...segment.count, using: &random)))
            }
            // Most inputs get a right checksum so the checks behind it are reached.
            if Int.random(in: 0..<4, using: &random) != 0 { Self.fixChecksum(&segment) }
            do {
                let repr = try parseSegment(segment)
                counts["accepted", default: 0] += 1
                let payload = Array(segment[(segment.count - repr.payloadLength)...])
                var expected = repr
                expected.options = Self.emittable(repr.options)
                #expect(
                    try parseSegment(try emitSegment(repr, payload: payload)) == expected,
                    "seed \(Self.seed): \(segment)")
            } catch {
                counts["\(error)", default: 0] += 1
            }
        }
        for outcome in ["accepted", "truncated", "malformed", "badChecksum"] {
            #expect(counts[outcome, default: 0] > 1_000, "\(counts)")
        }
    }
}
