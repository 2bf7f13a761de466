// Seeded random and mutated records: decoding never traps, and whatever decodes is
// canonical (it re-encodes to exactly the bytes it came from).

import ExoWire
import Testing

/// Decodes `record`; if it decodes, checks that re-encoding under the header's version
/// gives back the very same bytes. Returns whether it decoded.
@discardableResult
func expectCanonicalIfDecodes(_ record: [UInt8]) -> Bool {
    guard let message = try? MessageCodec.decode(record) else { return false }
    let version = record.withUnsafeBytes { raw in try? MessageCodec.peekHeader(raw) }?.version ?? 0
    #expect(throws: Never.self) {
        let again = try MessageCodec.encode(message, version: version)
        #expect(again == record)
    }
    return true
}

@Suite("Fuzz")
struct FuzzTests {
    @Test("random byte strings never trap")
    func randomBytes() {
        var random = SeededGenerator(seed: 0x5EED_0001)
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...96, using: &random)
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            expectCanonicalIfDecodes(bytes)
        }
    }

    @Test("random bodies behind a valid header of every kind never trap")
    func randomBodies() {
        var random = SeededGenerator(seed: 0x5EED_0002)
        var decoded = 0
        for kind in MessageKind.allCases {
            for _ in 0..<2_000 {
                let length = Int.random(in: 0...64, using: &random)
                let body = (0..<length).map { _ in UInt8.random(in: 0...3, using: &random) }
                let id: UInt32 = kind.family == .event ? 0 : 1
                if expectCanonicalIfDecodes(rawRecord(kind: kind.rawValue, requestID: id, body: body)) {
                    decoded += 1
                }
            }
        }
        // Small byte values make many bodies valid, so the checks above are exercised.
        #expect(decoded > 200)
    }

    @Test("every single-bit flip of a valid record fails cleanly or stays canonical", arguments: Fixtures.messages)
    func bitFlips(message: Message) throws {
        let record = try Fixtures.record(message)
        for bit in 0..<(record.count * 8) {
            var flipped = record
            flipped[bit / 8] ^= UInt8(1) << (bit % 8)
            expectCanonicalIfDecodes(flipped)
        }
    }

    @Test("random multi-byte mutations of valid records never trap")
    func randomMutations() throws {
        var random = SeededGenerator(seed: 0x5EED_0003)
        let records = try Fixtures.messages.map(Fixtures.record)
        for _ in 0..<20_000 {
            var record = records.randomElement(using: &random)!
            for _ in 0...Int.random(in: 0...3, using: &random) {
                let index = Int.random(in: 0..<record.count, using: &random)
                record[index] = UInt8.random(in: 0...255, using: &random)
            }
            if Bool.random(using: &random) { record = withFixedLength(Array(record.dropLast(Int.random(in: 0...4, using: &random)))) }
            expectCanonicalIfDecodes(record)
        }
    }
}
