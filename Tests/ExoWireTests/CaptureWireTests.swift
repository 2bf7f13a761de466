// The capture messages: byte layouts of the request and the captured-frame event, the
// allocation-free record writer against the codec, and refusals of malformed capture records.

import ExoWire
import Testing

@Suite("Capture messages")
struct CaptureWireTests {
    static let frame: [UInt8] = (0..<60).map { UInt8($0 &* 7 & 0xFF) }

    @Test("capture carries the tenant name, the count and the snap length little-endian")
    func requestBytes() throws {
        let record = try MessageCodec.encode(.request(id: 9, .capture(tenant: "bob", count: 5, snapLength: 96)), version: 1)
        #expect(Array(record[6..<8]) == [0x88, 0x01])
        #expect(Array(record[16...]) == [3, 0, 0x62, 0x6F, 0x62, 5, 0, 0, 0, 96, 0, 0, 0])
        let reply = try MessageCodec.encode(.reply(id: 9, .captureStarted(captureID: 2, snapLength: 96)), version: 1)
        #expect(Array(reply[6..<8]) == [0x88, 0x02])
        #expect(Array(reply[16...]) == [2, 0, 0, 0, 96, 0, 0, 0])
    }

    @Test("a captured frame is id, direction, timestamp, original length, then a u16-length blob")
    func eventBytes() throws {
        let event = CapturedPacket(captureID: 1, direction: .received, timestampNanoseconds: 0x0102_0304_0506_0708,
            originalLength: 300, bytes: [0xAA, 0xBB])
        let record = try MessageCodec.encode(.event(.capturedFrame(event)), version: 1)
        #expect(Array(record[6..<8]) == [0x04, 0x03])
        #expect(Array(record[16...]) == [1, 0, 0, 0, 2, 8, 7, 6, 5, 4, 3, 2, 1, 0x2C, 0x01, 0, 0, 2, 0, 0xAA, 0xBB])
        let end = try MessageCodec.encode(
            .event(.captureEnded(CaptureEnd(captureID: 1, reason: .tenantDetached, captured: 2, lost: 3))), version: 1)
        #expect(Array(end[6..<8]) == [0x05, 0x03])
        #expect(Array(end[16...]) == [1, 0, 0, 0, 2] + [2, 0, 0, 0, 0, 0, 0, 0] + [3, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test("the in-place record writer produces exactly the codec's record, cut to the snap length",
        arguments: [1, 14, 59, 60, 61, CaptureLimits.maxSnapLength])
    func recordWriterMatchesCodec(snapLength: Int) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(
            byteCount: CapturedPacketRecord.capacity(snapLength: snapLength), alignment: 16)
        defer { buffer.deallocate() }
        // Junk first: the writer must set every byte it reports.
        for index in buffer.indices { buffer[index] = 0xEE }
        let length = Self.frame.withUnsafeBytes { frame in
            CapturedPacketRecord.write(
                into: buffer, version: 1, captureID: 77, direction: .sent, timestampNanoseconds: 1_234_567_890_123,
                frame: frame, snapLength: snapLength)
        }
        let kept = Array(Self.frame.prefix(snapLength))
        let expected = try MessageCodec.encode(
            .event(.capturedFrame(CapturedPacket(
                captureID: 77, direction: .sent, timestampNanoseconds: 1_234_567_890_123, originalLength: 60,
                bytes: kept))), version: 1)
        #expect(Array(buffer[..<length]) == expected)
        #expect(length == CapturedPacketRecord.overhead + kept.count)
    }

    @Test("the largest captured frame still fits one record")
    func largestFits() throws {
        let record = try MessageCodec.encode(
            .event(.capturedFrame(CapturedPacket(
                captureID: 1, direction: .sent, timestampNanoseconds: 0, originalLength: 70_000,
                bytes: [UInt8](repeating: 1, count: CaptureLimits.maxSnapLength)))), version: 1)
        #expect(record.count <= WireLimits.maxMessageSize)
        #expect(record.count == CapturedPacketRecord.capacity(snapLength: CaptureLimits.maxSnapLength))
    }

    @Test("more captured bytes than the original length, none, or too many are refused both ways")
    func badCapturedLengths() throws {
        for bytes in [[UInt8](repeating: 1, count: 10), [], [UInt8](repeating: 1, count: CaptureLimits.maxSnapLength + 1)] {
            let frame = CapturedPacket(captureID: 1, direction: .sent, timestampNanoseconds: 0,
                originalLength: bytes.count == 10 ? 9 : 100_000, bytes: bytes)
            #expect(throws: WireEncodeError.self) { try MessageCodec.encode(.event(.capturedFrame(frame)), version: 1) }
        }
        let header: [UInt8] = [1, 0, 0, 0, 1] + [UInt8](repeating: 0, count: 8)
        // original length 9, two bytes captured... then ten.
        #expect(decodeError(rawRecord(kind: 0x0304, requestID: 0, body: header + [9, 0, 0, 0, 10, 0] + [UInt8](repeating: 0, count: 10)))
            == .badValue("capturedFrame.originalLength"))
        #expect(decodeError(rawRecord(kind: 0x0304, requestID: 0, body: header + [9, 0, 0, 0, 0, 0]))
            == .badValue("capturedFrame.bytes"))
    }

    @Test("an unknown direction or end reason is refused", arguments: [0, 3, 255] as [UInt8])
    func badEnums(value: UInt8) {
        let frame: [UInt8] = [1, 0, 0, 0, value] + [UInt8](repeating: 0, count: 8) + [1, 0, 0, 0, 1, 0, 0xAB]
        #expect(decodeError(rawRecord(kind: 0x0304, requestID: 0, body: frame)) == .badValue("capturedFrame.direction"))
        guard value != 3 else { return }  // 3 is daemonStopping
        let end: [UInt8] = [1, 0, 0, 0, value] + [UInt8](repeating: 0, count: 16)
        #expect(decodeError(rawRecord(kind: 0x0305, requestID: 0, body: end)) == .badValue("captureEnded.reason"))
    }

    @Test("a capture request with an empty or over-long tenant name is refused")
    func badTenantNames() {
        #expect(throws: WireEncodeError.self) {
            try MessageCodec.encode(.request(id: 1, .capture(tenant: "", count: 0, snapLength: 1)), version: 1)
        }
        #expect(decodeError(rawRecord(kind: 0x0188, body: [0, 0] + [UInt8](repeating: 0, count: 8))) != nil)
    }

    @Test("the capture refusals keep the session open and use their reserved codes")
    func captureErrors() {
        for error in [ExoError.tenantNotAttached, .tooManyCaptures, .badSnapLength] {
            #expect(!error.closesSession)
            #expect((320...329).contains(error.rawValue))
        }
        #expect(ExoError.badSnapLength.name == "badSnapLength")
    }
}
