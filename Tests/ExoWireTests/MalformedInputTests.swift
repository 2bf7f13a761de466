// Inputs a hostile or buggy peer can send: each is refused with a specific decode error,
// never accepted and never a trap.

import ExoWire
import Testing

@Suite("Malformed input")
struct MalformedInputTests {
    @Test("every strict prefix of a valid record is refused", arguments: Fixtures.messages)
    func everyTruncationFails(message: Message) throws {
        let record = try Fixtures.record(message)
        for length in 0..<record.count {
            let prefix = Array(record[..<length])
            // As sent: the header's length no longer matches (or the header is incomplete).
            #expect(decodeError(prefix) == (length < WireLimits.headerSize ? .truncated : .badLength))
            // With the length patched to match, the body itself runs out.
            if length >= WireLimits.headerSize {
                #expect(decodeError(withFixedLength(prefix)) == .truncated)
            }
        }
    }

    @Test("a byte after the last field is refused", arguments: Fixtures.messages)
    func trailingBytesFail(message: Message) throws {
        let record = try Fixtures.record(message)
        #expect(decodeError(record + [0]) == .badLength)
        #expect(decodeError(withFixedLength(record + [0])) == .trailingBytes)
    }

    @Test("a wrong magic is refused")
    func badMagic() {
        var record = rawRecord(kind: MessageKind.ping.rawValue, body: [])
        record[0] ^= 1
        #expect(decodeError(record) == .badMagic)
    }

    @Test("a record over 64 KiB is refused before anything else is read")
    func oversizedRecord() {
        let body = [UInt8](repeating: 0, count: WireLimits.maxMessageSize - WireLimits.headerSize + 1)
        #expect(decodeError(rawRecord(kind: MessageKind.ping.rawValue, body: body)) == .tooLarge)
    }

    @Test("unknown kinds are refused with the kind", arguments: [0x0000, 0x0110, 0x01FF, 0x0202, 0x0210, 0x02FE, 0x030B, 0x018C, 0x028C, 0xFFFF] as [UInt16])
    func unknownKinds(kind: UInt16) {
        #expect(decodeError(rawRecord(kind: kind, body: [])) == .unknownKind(kind))
    }

    @Test("non-hello messages in an unsupported version are refused; the version is reported")
    func unsupportedVersion() {
        #expect(decodeError(rawRecord(kind: MessageKind.ping.rawValue, version: 2, body: [])) == .unsupportedVersion(2))
        #expect(decodeError(rawRecord(kind: MessageKind.pong.rawValue, version: 0, body: [])) == .unsupportedVersion(0))
    }

    @Test("an event with a nonzero request id is refused")
    func eventWithRequestID() {
        let body: [UInt8] = [1, 0, 0, 0, 0, 0, 0, 0]
        #expect(decodeError(rawRecord(kind: MessageKind.tokenRevoked.rawValue, requestID: 5, body: body)) == .badValue("event.requestID"))
    }

    @Test("invalid UTF-8 in a name is refused", arguments: [[0xFF], [0xC3], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xC0, 0xAF]] as [[UInt8]])
    func invalidUTF8(name: [UInt8]) {
        let body: [UInt8] = [42, 0, 0, 0, 0x01, UInt8(name.count), 0] + name
        #expect(decodeError(rawRecord(kind: MessageKind.grant.rawValue, body: body)) == .badValue("grant.audience"))
    }

    @Test("rights without read, with unknown bits, or write-only are refused", arguments: [0x00, 0x02, 0x04, 0x08, 0x80, 0xFF] as [UInt8])
    func badRights(rights: UInt8) {
        let grant: [UInt8] = [42, 0, 0, 0, rights, 1, 0, 0x62]
        #expect(decodeError(rawRecord(kind: MessageKind.grant.rawValue, body: grant)) == .badValue("grant.rights"))
        let holding: [UInt8] = [7, 0, 0, 0] + [UInt8](repeating: 0, count: 16) + [rights]
        #expect(decodeError(rawRecord(kind: MessageKind.redeemed.rawValue, body: holding)) == .badValue("holding.rights"))
    }

    @Test("a flag byte other than 0 or 1 is refused")
    func badBools() {
        let frames: [UInt8] = [2, 1, 0, 0x61, 0, 0, 0, 0, 1, 0]
        #expect(decodeError(rawRecord(kind: MessageKind.frames.rawValue, body: frames)) == .badValue("frames.tenant"))
        let page: [UInt8] = [0, 0, 2, 9, 0, 0, 0]
        #expect(decodeError(rawRecord(kind: MessageKind.tenantsReply.rawValue, body: page)) == .badValue("page.nextCursor"))
    }

    @Test("an unknown role or error code is refused")
    func badEnums() {
        let hello: [UInt8] = [1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 1, 0, 0x61]
        #expect(decodeError(rawRecord(kind: MessageKind.hello.rawValue, body: hello)) == .badValue("hello.role"))
        let error: [UInt8] = [0x39, 0x30, 0, 0]
        #expect(decodeError(rawRecord(kind: MessageKind.error.rawValue, body: error)) == .badValue("error.code"))
    }

    @Test("a hello must pair the tenant role with a name and the operator role with none")
    func helloNameMatchesRole() {
        let header: [UInt8] = [1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        let operatorWithName = header + [2, 1, 0, 0x61]
        let tenantWithout = header + [1, 0, 0]
        #expect(decodeError(rawRecord(kind: MessageKind.hello.rawValue, body: operatorWithName)) == .badValue("hello.tenantName"))
        #expect(decodeError(rawRecord(kind: MessageKind.hello.rawValue, body: tenantWithout)) == .badValue("hello.tenantName"))
        let reversed: [UInt8] = [2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0]
        #expect(decodeError(rawRecord(kind: MessageKind.hello.rawValue, body: reversed)) == .badValue("hello.versions"))
    }

    @Test("a batch over maxBatch is too large; an empty batch is malformed")
    func batchLimits() {
        let kind = MessageKind.allocate.rawValue
        let over = UInt16(WireLimits.maxBatch + 1)
        let big = [UInt8(over & 0xFF), UInt8(over >> 8)] + [UInt8](repeating: 0, count: Int(over) * 4)
        #expect(decodeError(rawRecord(kind: kind, body: big)) == .tooLarge)
        #expect(decodeError(rawRecord(kind: kind, body: [0, 0])) == .badValue("allocate.frames"))
        let any = MessageKind.allocateAny.rawValue
        #expect(decodeError(rawRecord(kind: any, body: [254, 0, 0, 0])) == .tooLarge)
        #expect(decodeError(rawRecord(kind: any, body: [0, 0, 0, 0])) == .badValue("allocateAny.count"))
    }

    @Test("a page limit over maxPageSize is too large; a zero limit is malformed")
    func pageLimits() {
        let kind = MessageKind.tenants.rawValue
        #expect(decodeError(rawRecord(kind: kind, body: [0, 0, 0, 0, 0x01, 0x02])) == .tooLarge)
        #expect(decodeError(rawRecord(kind: kind, body: [0, 0, 0, 0, 0, 0])) == .badValue("page.limit"))
    }

    @Test("a list count the record cannot hold is refused without allocating it")
    func hugeListCount() {
        let body: [UInt8] = [0xFF, 0xFF]
        #expect(decodeError(rawRecord(kind: MessageKind.tenantsReply.rawValue, body: body)) == .tooLarge)
        let uids: [UInt8] = [1, 0] + [0, 0, 0, 0, 1, 0, 0x61] + [UInt8](repeating: 0, count: 12) + [0xFF, 0xFF]
        #expect(decodeError(rawRecord(kind: MessageKind.tenantsReply.rawValue, body: uids)) == .truncated)
    }

    @Test("names over 255 bytes and empty or over-long tokens are refused")
    func lengthLimits() {
        let longName: [UInt8] = [42, 0, 0, 0, 1, 0, 1] + [UInt8](repeating: 0x61, count: 256)
        #expect(decodeError(rawRecord(kind: MessageKind.grant.rawValue, body: longName)) == .badValue("grant.audience"))
        #expect(decodeError(rawRecord(kind: MessageKind.redeem.rawValue, body: [0, 0])) == .badValue("redeem.token"))
        let longToken: [UInt8] = [1, 1] + [UInt8](repeating: 7, count: 257)
        #expect(decodeError(rawRecord(kind: MessageKind.redeem.rawValue, body: longToken)) == .badValue("redeem.token"))
    }

    @Test("decode errors map to the refusal the daemon answers with")
    func errorMapping() {
        #expect(WireDecodeError.unknownKind(9).exoError == .unknownRequest)
        #expect(WireDecodeError.tooLarge.exoError == .batchTooLarge)
        #expect(WireDecodeError.unsupportedVersion(2).exoError == .unsupportedVersion)
        for error: WireDecodeError in [.badMagic, .truncated, .trailingBytes, .badLength, .badValue("x")] {
            #expect(error.exoError == .malformedMessage)
            #expect(error.exoError.closesSession)
        }
        #expect(!WireDecodeError.unknownKind(9).exoError.closesSession)
        #expect(!WireDecodeError.tooLarge.exoError.closesSession)
    }
}
