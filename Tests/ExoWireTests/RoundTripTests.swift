// Every message decodes back to itself, the fixtures cover every kind, and encoding into
// a reused buffer appends one record without touching what was there.

import ExoWire
import Testing

@Suite("Round trip")
struct RoundTripTests {
    @Test("every fixture message decodes back to itself", arguments: Fixtures.messages)
    func roundTrip(message: Message) throws {
        let record = try Fixtures.record(message)
        #expect(try MessageCodec.decode(record) == message)
    }

    @Test("the fixtures cover every message kind")
    func fixturesCoverEveryKind() {
        let covered = Set(Fixtures.messages.map(\.kind))
        #expect(covered == Set(MessageKind.allCases))
    }

    @Test("every record's header states its length, kind, id and version", arguments: Fixtures.messages)
    func headerDescribesRecord(message: Message) throws {
        let record = try Fixtures.record(message)
        let header = try record.withUnsafeBytes { raw in try MessageCodec.peekHeader(raw) }
        #expect(header.magic == WireLimits.magic)
        #expect(header.version == 1)
        #expect(header.kind == message.kind.rawValue)
        #expect(header.requestID == message.requestID)
        #expect(Int(header.bodyLength) == record.count - WireLimits.headerSize)
    }

    @Test("kinds of requests, replies and events fall in 0x01xx, 0x02xx and 0x03xx")
    func kindFamilies() {
        for message in Fixtures.messages {
            switch message {
            case .request: #expect(message.kind.rawValue >> 8 == 0x01)
            case .reply: #expect(message.kind.rawValue >> 8 == 0x02)
            case .event: #expect(message.kind.rawValue >> 8 == 0x03)
            }
        }
    }

    @Test("encode(into:) appends a record after existing bytes")
    func encodeIntoAppends() throws {
        var buffer: [UInt8] = [0xAA, 0xBB]
        try MessageCodec.encode(.request(id: 9, .ping), version: 1, into: &buffer)
        try MessageCodec.encode(.reply(id: 9, .pong), version: 1, into: &buffer)
        let ping = try Fixtures.record(.request(id: 9, .ping))
        let pong = try Fixtures.record(.reply(id: 9, .pong))
        #expect(buffer == [0xAA, 0xBB] + ping + pong)
    }

    @Test("a refused encode(into:) leaves the buffer exactly as it was")
    func refusedEncodeLeavesBuffer() throws {
        var buffer: [UInt8] = [1, 2, 3]
        #expect(throws: WireEncodeError.self) {
            try MessageCodec.encode(.request(id: 1, .allocate(frames: [])), version: 1, into: &buffer)
        }
        #expect(buffer == [1, 2, 3])
    }

    @Test("a hello decodes whatever version its header carries")
    func helloDecodesUnderAnyVersion() throws {
        let hello = Message.request(id: 1, .hello(Hello(minVersion: 1, maxVersion: 9, role: .tenant, tenantName: "a")))
        for version: UInt16 in [0, 1, 2, 9, .max] {
            let record = try MessageCodec.encode(hello, version: version)
            #expect(try MessageCodec.decode(record) == hello)
        }
    }

    @Test("decoding through a raw buffer pointer matches decoding an array")
    func decodeFromPointer() throws {
        for message in Fixtures.messages {
            let record = try Fixtures.record(message)
            let decoded = try record.withUnsafeBytes { raw in try MessageCodec.decode(raw) }
            #expect(decoded == message)
        }
    }
}
