// The impair request's body: probabilities above one million parts per million and unknown
// directions are refused on decode, and a client cannot encode them either.

import ExoWire
import Testing

@Suite("impair request on the wire")
struct ImpairmentWireTests {
    func record(direction: UInt8, loss: UInt32) -> [UInt8] {
        var body: [UInt8] = [0]  // no tenant name: the link
        body.append(direction)
        func le<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { body += $0 } }
        le(loss)
        for _ in 0..<6 { le(UInt32(0)) }  // burst x4, duplicate, reorder
        for _ in 0..<3 { le(UInt64(0)) }  // reorder gap, delay, jitter
        le(UInt32(0))  // corrupt
        for _ in 0..<2 { le(UInt64(0)) }  // rate, queue limit
        le(UInt64(42))  // seed
        return rawRecord(kind: MessageKind.impair.rawValue, body: body)
    }

    @Test func aValidBodyDecodesToTheRequest() throws {
        var profile = WireImpairmentProfile()
        profile.lossPPM = 1_000_000
        #expect(try MessageCodec.decode(record(direction: 3, loss: 1_000_000))
            == .request(id: 1, .impair(tenant: nil, direction: .both, profile: profile, seed: 42)))
    }

    @Test func aProbabilityOverAMillionPartsIsRefused() {
        #expect(decodeError(record(direction: 1, loss: 1_000_001)) == .badValue("impair.loss"))
    }

    @Test func anUnknownDirectionIsRefused() {
        #expect(decodeError(record(direction: 0, loss: 0)) == .badValue("impair.direction"))
        #expect(decodeError(record(direction: 4, loss: 0)) == .badValue("impair.direction"))
    }

    @Test func aClientCannotEncodeAnImpossibleProbability() {
        var profile = WireImpairmentProfile()
        profile.duplicatePPM = 2_000_000
        var buffer: [UInt8] = []
        #expect(throws: WireEncodeError.badValue("impair.duplicate")) {
            try MessageCodec.encode(
                .request(id: 1, .impair(tenant: nil, direction: .both, profile: profile, seed: 0)), version: 1,
                into: &buffer)
        }
    }
}
