// Byte-exact layouts: the header and a hello as written in docs/PROTOCOL.md. If one of
// these fails, the wire format changed and every peer breaks.

import ExoWire
import Testing

@Suite("Golden bytes")
struct GoldenBytesTests {
    @Test("a ping is exactly its 16-byte header: magic, version, kind, id, length")
    func pingHeader() throws {
        let record = try MessageCodec.encode(.request(id: 0x0A0B_0C0D, .ping), version: 1)
        #expect(record == [
            0x45, 0x58, 0x4F, 0x4B,  // magic "EXOK"
            0x01, 0x00,  // version 1
            0x07, 0x01,  // kind 0x0107 ping
            0x0D, 0x0C, 0x0B, 0x0A,  // request id
            0x00, 0x00, 0x00, 0x00,  // body length 0
        ])
    }

    @Test("a tenant hello has the documented byte layout")
    func helloBytes() throws {
        let hello = Hello(
            minVersion: 1, maxVersion: 2, features: FeatureBits(rawValue: 0x0807_0605_0403_0201), role: .tenant,
            tenantName: "alice")
        let record = try MessageCodec.encode(.request(id: 7, .hello(hello)), version: 1)
        #expect(record == [
            0x45, 0x58, 0x4F, 0x4B, 0x01, 0x00, 0x00, 0x01,  // magic, version 1, kind 0x0100 hello
            0x07, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00,  // request id 7, body length 20
            0x01, 0x00, 0x02, 0x00,  // minVersion 1, maxVersion 2
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,  // features
            0x01,  // role tenant
            0x05, 0x00, 0x61, 0x6C, 0x69, 0x63, 0x65,  // "alice"
        ])
    }

    @Test("an error reply carries its ExoError code then the detail")
    func errorReplyBytes() throws {
        let record = try MessageCodec.encode(.reply(id: 1, .error(.overQuota, detail: "q")), version: 1)
        #expect(Array(record[6..<8]) == [0xFF, 0x02])
        #expect(Array(record[16...]) == [0x68, 0x00, 0x01, 0x00, 0x71])
    }

    @Test("an event carries request id 0")
    func eventHasRequestIDZero() throws {
        let record = try MessageCodec.encode(.event(.tokenRevoked(tokenID: 1)), version: 1)
        #expect(Array(record[8..<12]) == [0, 0, 0, 0])
        #expect(Array(record[16...]) == [1, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test("peekHeader returns the request id of a record whose body is bad")
    func peekHeaderOfBadBody() throws {
        let record = rawRecord(kind: MessageKind.grant.rawValue, requestID: 0xBEEF, body: [1, 2, 3])
        #expect(decodeError(record) == .truncated)
        let header = try record.withUnsafeBytes { raw in try MessageCodec.peekHeader(raw) }
        #expect(header == MessageHeader(version: 1, kind: 0x0105, requestID: 0xBEEF, bodyLength: 3))
    }

    @Test("peekHeader refuses fewer than 16 bytes and a wrong magic")
    func peekHeaderRefusals() {
        let short: [UInt8] = [0x45, 0x58, 0x4F, 0x4B, 1, 0]
        #expect(throws: WireDecodeError.truncated) {
            try short.withUnsafeBytes { raw in try MessageCodec.peekHeader(raw) }
        }
        var wrong = rawRecord(kind: MessageKind.ping.rawValue, body: [])
        wrong[3] = 0x4C
        #expect(throws: WireDecodeError.badMagic) {
            try wrong.withUnsafeBytes { raw in try MessageCodec.peekHeader(raw) }
        }
    }
}
