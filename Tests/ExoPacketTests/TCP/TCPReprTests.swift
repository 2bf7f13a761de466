// TCPRepr over real Linux segments: parsing gives the fields Linux sent, and emitting the
// same values writes Linux's bytes exactly, checksum included.
import ExoPacket
import Testing

/// Parses a whole segment between `source` and `destination`.
func parseSegment(
    _ bytes: [UInt8], source: IPv4Address = TCPSamples.linux, destination: IPv4Address = TCPSamples.peer
) throws -> TCPRepr {
    try bytes.withUnsafeBytes { buffer in
        let header = try TCPHeader(checking: PacketBytes(unsafeBuffer: buffer))
        return try TCPRepr(parsing: header, source: source, destination: destination)
    }
}

/// The segment `repr` emits around `payload`.
func emitSegment(
    _ repr: TCPRepr, payload: [UInt8] = [], source: IPv4Address = TCPSamples.linux,
    destination: IPv4Address = TCPSamples.peer
) throws -> [UInt8] {
    var bytes = [UInt8](repeating: 0xEE, count: repr.headerLength) + payload
    let written = try MutablePacketBytes.with(&bytes) {
        try repr.emit(into: $0, source: source, destination: destination)
    }
    #expect(written == repr.length && written == bytes.count)
    return bytes
}

@Suite struct TCPReprTests {
    static let linuxISN = TCPSequenceNumber(0x3FC5_7968)
    static let peerISN = TCPSequenceNumber(0x1111_1111)

    @Test func linuxSynIsBuiltByteForByte() throws {
        var options = TCPOptions()
        options.maximumSegmentSize = 1460
        options.sackPermitted = true
        options.timestamps = TCPTimestamps(value: 0x6980_1CBC, echoReply: 0)
        options.windowScale = 10
        let syn = TCPRepr(
            sourcePort: 46038, destinationPort: 80, sequenceNumber: TCPSequenceNumber(0xB440_FAFF),
            acknowledgementNumber: TCPSequenceNumber(0), flags: .syn, window: 64240, options: options)
        #expect(syn.headerLength == 40)
        #expect(try emitSegment(syn) == TCPSamples.syn)
        #expect(try parseSegment(TCPSamples.syn) == syn)
    }

    @Test func linuxSynAckIsBuiltByteForByte() throws {
        var options = TCPOptions()
        options.maximumSegmentSize = 1460
        options.sackPermitted = true
        options.timestamps = TCPTimestamps(value: 0xE938_2F62, echoReply: 1000)
        options.windowScale = 10
        let synAck = TCPRepr(
            sourcePort: 5000, destinationPort: 40000, sequenceNumber: Self.linuxISN,
            acknowledgementNumber: Self.peerISN + 1, flags: [.syn, .ack], window: 65160, options: options)
        #expect(try emitSegment(synAck) == TCPSamples.synAck)
        #expect(try parseSegment(TCPSamples.synAck) == synAck)
    }

    @Test func linuxDataWithTimestampsIsBuiltByteForByte() throws {
        var options = TCPOptions()
        options.timestamps = TCPTimestamps(value: 0xE938_3158, echoReply: 1001)
        let data = TCPRepr(
            sourcePort: 5000, destinationPort: 40000, sequenceNumber: Self.linuxISN + 1,
            acknowledgementNumber: Self.peerISN + 1, flags: [.psh, .ack], window: 64, options: options,
            payloadLength: 17)
        #expect(data.headerLength == 32 && data.length == 49)
        #expect(try emitSegment(data, payload: TCPSamples.dataPayload) == TCPSamples.data)
        #expect(try parseSegment(TCPSamples.data) == data)
    }

    @Test func linuxAckWithTimestampsAndThreeSackBlocksIsBuiltByteForByte() throws {
        var options = TCPOptions()
        options.timestamps = TCPTimestamps(value: 0xE938_393B, echoReply: 1001)
        options.sackBlocks = sackBlocks([
            (0x1111_1306, 0x1111_136A), (0x1111_123E, 0x1111_12A2), (0x1111_1176, 0x1111_11DA),
        ])
        let ack = TCPRepr(
            sourcePort: 5000, destinationPort: 40000, sequenceNumber: Self.linuxISN + 18,
            acknowledgementNumber: Self.peerISN + 1, flags: .ack, window: 64, options: options)
        #expect(ack.headerLength == 60)
        #expect(try emitSegment(ack) == TCPSamples.sack3)
    }

    @Test(arguments: TCPSamples.all)
    func everyLinuxCaptureRoundTripsExactly(segment: [UInt8]) throws {
        let repr = try parseSegment(segment)
        let payload = Array(segment[repr.headerLength...])
        #expect(try emitSegment(repr, payload: payload) == segment)
    }

    @Test func sackBlocksAreReadFromLinuxDuplicateAcks() throws {
        #expect(try parseSegment(TCPSamples.sack1).options.sackBlocks == sackBlocks([(0x1111_1176, 0x1111_11DA)]))
        #expect(
            try parseSegment(TCPSamples.sack2).options.sackBlocks
                == sackBlocks([(0x1111_123E, 0x1111_12A2), (0x1111_1176, 0x1111_11DA)]))
        #expect(try parseSegment(TCPSamples.finSack3).flags == [.fin, .ack])
    }

    @Test func aWrongChecksumOrWrongAddressesAreBadChecksum() {
        var corrupted = TCPSamples.data
        corrupted[40] ^= 0x20  // one payload bit
        #expect(throws: PacketError.badChecksum) { try parseSegment(corrupted) }
        #expect(throws: PacketError.badChecksum) {
            try parseSegment(TCPSamples.data, source: TCPSamples.peer, destination: TCPSamples.peer)
        }
    }

    @Test func portZeroOnEitherSideIsMalformed() throws {
        var fromZero = TCPRepr(
            sourcePort: 0, destinationPort: 80, sequenceNumber: TCPSequenceNumber(1),
            acknowledgementNumber: TCPSequenceNumber(0), flags: .syn, window: 1000)
        #expect(throws: PacketError.malformed) { try parseSegment(try emitSegment(fromZero)) }
        fromZero.sourcePort = 80
        fromZero.destinationPort = 0
        #expect(throws: PacketError.malformed) { try parseSegment(try emitSegment(fromZero)) }
    }

    @Test func malformedOptionsWithAValidChecksumAreMalformed() throws {
        // A header of 24 bytes whose options are an MSS of length 3, checksummed correctly.
        var segment = Array(TCPSamples.syn.prefix(24))
        segment[12] = 6 << 4
        segment[20...23] = [2, 3, 0, 1]
        segment[16] = 0
        segment[17] = 0
        let sum = segment.withUnsafeBytes { buffer in
            var sum = InternetChecksum(
                pseudoHeaderSource: TCPSamples.linux, destination: TCPSamples.peer, protocol: .tcp, length: 24)
            sum.add(PacketBytes(unsafeBuffer: buffer))
            return sum.value
        }
        segment[16] = UInt8(sum >> 8)
        segment[17] = UInt8(sum & 0xFF)
        #expect(throws: PacketError.malformed) { try parseSegment(segment) }
    }

    @Test func emitRefusesTooSmallBuffersAndImpossibleLengths() {
        let repr = TCPRepr(
            sourcePort: 1, destinationPort: 2, sequenceNumber: TCPSequenceNumber(0),
            acknowledgementNumber: TCPSequenceNumber(0), flags: .ack, window: 0, payloadLength: 10)
        var short = [UInt8](repeating: 0, count: 29)
        #expect(throws: PacketError.truncated) {
            try MutablePacketBytes.with(&short) { try repr.emit(into: $0, source: .any, destination: .any) }
        }
        var huge = repr
        huge.payloadLength = 65_516
        var big = [UInt8](repeating: 0, count: 65_536 + 20)
        #expect(throws: PacketError.malformed) {
            try MutablePacketBytes.with(&big) { try huge.emit(into: $0, source: .any, destination: .any) }
        }
        huge.payloadLength = -1
        #expect(throws: PacketError.malformed) {
            try MutablePacketBytes.with(&big) { try huge.emit(into: $0, source: .any, destination: .any) }
        }
    }
}
