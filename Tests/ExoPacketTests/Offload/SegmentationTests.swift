// GSO in software, segment by segment: every segment parses and verifies on its own (IPv4 and
// transport checksums), payloads concatenate to the original, sequence numbers, ids and flags follow Linux.
import ExoPacket
import Testing

/// What a segment says about itself, read with the checked views and verified checksums.
struct SegmentFacts {
    var ipID: UInt16
    var ipChecksumValid: Bool
    var transportChecksumValid: Bool
    var transportChecksum: UInt16
    var sequence: UInt32
    var flags: TCPFlags
    var payload: [UInt8]
    var ipOptions: [UInt8]

    init(_ frame: [UInt8], tcp: Bool) throws {
        let facts = try withPacket(frame) { (bytes) throws -> SegmentFacts in
            let ethernet = try EthernetPacket(checking: bytes)
            let ip = try IPv4Packet(checking: ethernet.payload)
            guard ip.totalLength == ethernet.payload.count, !ip.isFragment, ip.dontFragment else { throw PacketError.malformed }
            if tcp {
                let header = try TCPHeader(checking: ip.payload)
                return SegmentFacts(
                    ipID: ip.identification, ipChecksumValid: ip.checksumIsValid,
                    transportChecksumValid: header.checksumIsValid(source: ip.source, destination: ip.destination),
                    transportChecksum: header.checksum, sequence: header.sequenceNumber, flags: header.flags,
                    payload: header.payload.array, ipOptions: ip.options.array)
            }
            let udp = try UDPDatagram(checking: ip.payload)
            guard udp.length == ip.payload.count else { throw PacketError.malformed }
            return SegmentFacts(
                ipID: ip.identification, ipChecksumValid: ip.checksumIsValid,
                transportChecksumValid: udp.checksumIsValid(source: ip.source, destination: ip.destination),
                transportChecksum: udp.checksum, sequence: 0, flags: [], payload: udp.payload.array, ipOptions: ip.options.array)
        }
        self = facts
    }

    private init(
        ipID: UInt16, ipChecksumValid: Bool, transportChecksumValid: Bool, transportChecksum: UInt16, sequence: UInt32,
        flags: TCPFlags, payload: [UInt8], ipOptions: [UInt8]
    ) {
        self.ipID = ipID
        self.ipChecksumValid = ipChecksumValid
        self.transportChecksumValid = transportChecksumValid
        self.transportChecksum = transportChecksum
        self.sequence = sequence
        self.flags = flags
        self.payload = payload
        self.ipOptions = ipOptions
    }
}

/// Checks every rule of segmentation for one super-frame; returns the segments' facts.
@discardableResult
func expectSegmentedCorrectly(
    _ frame: [UInt8], header: VirtioNetHeader, payload: [UInt8], tcp: Bool, sequence: UInt32 = 0, flags: TCPFlags = [],
    id: UInt16, ipOptions: [UInt8] = [], sourceLocation: SourceLocation = #_sourceLocation
) throws -> [SegmentFacts] {
    let segments = try SuperFrames.segments(frame, header: header)
    let size = Int(header.gsoSize)
    let expectedCount = payload.isEmpty ? 1 : (payload.count + size - 1) / size
    #expect(segments.count == expectedCount, sourceLocation: sourceLocation)
    let facts = try segments.map { try SegmentFacts($0, tcp: tcp) }
    #expect(facts.flatMap(\.payload) == payload, "payloads concatenate to the original", sourceLocation: sourceLocation)
    for (index, fact) in facts.enumerated() {
        let last = index == facts.count - 1
        #expect(fact.ipChecksumValid && fact.transportChecksumValid, "segment \(index)", sourceLocation: sourceLocation)
        #expect(fact.transportChecksum != 0, sourceLocation: sourceLocation)
        #expect(fact.ipID == id &+ UInt16(index), sourceLocation: sourceLocation)
        #expect(fact.ipOptions == ipOptions, sourceLocation: sourceLocation)
        #expect(last ? fact.payload.count <= size : fact.payload.count == size, sourceLocation: sourceLocation)
        if tcp {
            #expect(fact.sequence == sequence &+ UInt32(index * size), sourceLocation: sourceLocation)
            var expected = flags
            if !last { expected.subtract([.fin, .psh]) }
            if index != 0 { expected.remove(.cwr) }
            #expect(fact.flags == expected, "segment \(index) flags", sourceLocation: sourceLocation)
        }
    }
    return facts
}

@Suite struct SegmentationTests {
    @Test func tcpSuperFrameBecomesMSSSizedSegments() throws {
        let data = SuperFrames.payload(4000)
        let frame = SuperFrames.tcp(payload: data, sequence: 0xFFFF_F000, flags: [.ack, .psh, .fin])
        let header = SuperFrames.gsoHeader(frame, type: .tcpv4, size: 1448)
        let facts = try expectSegmentedCorrectly(
            frame, header: header, payload: data, tcp: true, sequence: 0xFFFF_F000, flags: [.ack, .psh, .fin], id: 0x4242)
        #expect(facts.map(\.payload.count) == [1448, 1448, 1104])
        #expect(facts[2].sequence == 0xFFFF_F000 &+ 2896, "the sequence number wraps like TCP's")
    }

    @Test func ecnCWRStaysOnTheFirstSegmentOnly() throws {
        let data = SuperFrames.payload(3000)
        let flags: TCPFlags = [.ack, .cwr, .ece, .psh]
        let frame = SuperFrames.tcp(payload: data, flags: flags)
        let header = SuperFrames.gsoHeader(frame, type: .tcpv4, size: 1000, ecn: true)
        let facts = try expectSegmentedCorrectly(frame, header: header, payload: data, tcp: true, sequence: 0x1000_0000, flags: flags, id: 0x4242)
        #expect(facts.map { $0.flags.contains(.cwr) } == [true, false, false])
        #expect(facts.allSatisfy { $0.flags.contains(.ece) })
    }

    @Test func tcpOptionsAndIPOptionsAreCopiedToEverySegment() throws {
        let data = SuperFrames.payload(2500, seed: 9)
        let ipOptions: [UInt8] = [1, 7, 7, 4, 0, 0, 0, 0, 0, 0, 0, 0]  // NOP + record route with room for one hop
        let tcpOptions: [UInt8] = [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2]  // NOP NOP timestamps
        let frame = SuperFrames.tcp(payload: data, ipOptions: ipOptions, tcpOptions: tcpOptions)
        let header = SuperFrames.gsoHeader(frame, type: .tcpv4, size: 1200)
        try expectSegmentedCorrectly(frame, header: header, payload: data, tcp: true, sequence: 0x1000_0000, flags: [.ack, .psh],
            id: 0x4242, ipOptions: ipOptions)
    }

    @Test func udpSegmentBurstBecomesOneDatagramPerSegment() throws {
        let data = SuperFrames.payload(1400 * 5 + 17)
        let frame = SuperFrames.udp(payload: data, id: 0xFFFE)
        let header = SuperFrames.gsoHeader(frame, type: .udpL4, size: 1400)
        let facts = try expectSegmentedCorrectly(frame, header: header, payload: data, tcp: false, id: 0xFFFE)
        #expect(facts.map(\.payload.count) == [1400, 1400, 1400, 1400, 1400, 17])
        #expect(facts.map(\.ipID) == [0xFFFE, 0xFFFF, 0, 1, 2, 3], "ids wrap")
    }

    @Test func payloadNoLargerThanOneSegmentStaysOneFrame() throws {
        for length in [0, 1, 1400] {
            let data = SuperFrames.payload(length)
            let frame = SuperFrames.udp(payload: data)
            try expectSegmentedCorrectly(frame, header: SuperFrames.gsoHeader(frame, type: .udpL4, size: 1400), payload: data,
                tcp: false, id: 0x0101)
        }
    }

    @Test func aFrameWithoutGSOIsHandedOverOnceWithItsChecksumCompleted() throws {
        let data = SuperFrames.payload(300)
        let frame = SuperFrames.udp(payload: data)
        var header = SuperFrames.gsoHeader(frame, type: .none, size: 0)
        header.headerLength = 0
        let segments = try SuperFrames.segments(frame, header: header)
        #expect(segments.count == 1)
        let facts = try SegmentFacts(segments[0], tcp: false)
        #expect(facts.transportChecksumValid && facts.payload == data)
    }

    @Test func checksumsDoNotDependOnTheFieldsPartialValue() throws {
        // A peer that set DATA_VALID instead of NEEDS_CSUM left a whole (here: garbage) value.
        let data = SuperFrames.payload(5000)
        var frame = SuperFrames.udp(payload: data)
        frame[40] = 0xAB
        frame[41] = 0xCD
        var header = SuperFrames.gsoHeader(frame, type: .udpL4, size: 1000)
        header.flags = .dataValid
        try expectSegmentedCorrectly(frame, header: header, payload: data, tcp: false, id: 0x0101)
    }

    @Test func segmentsLargerThanTheFrameSizeAreRefusedBeforeAnyIsHandedOver() {
        let frame = SuperFrames.udp(payload: SuperFrames.payload(3000))
        let header = SuperFrames.gsoHeader(frame, type: .udpL4, size: 1500)
        // 14 + 20 + 8 + 1500 = 1542 bytes per full segment.
        #expect(SuperFrames.fault { _ = try SuperFrames.segments(frame, header: header, maximumFrame: 1541) } == .segmentTooLarge)
        #expect(SuperFrames.fault { _ = try SuperFrames.segments(frame, header: header, maximumFrame: 1542) } == nil)
    }

    @Test(arguments: 0..<200) func randomSuperFramesSegmentCorrectly(seed: Int) throws {
        var random = SeededGenerator(seed: UInt64(seed) &* 0x9E37_79B9 &+ 1)
        let tcp = Bool.random(using: &random)
        let size = Int.random(in: 1...3000, using: &random)
        let maxPayload = 65_535 - 20 - (tcp ? 20 : 8) - 40
        let length = Int.random(in: 0...min(maxPayload, size * Int.random(in: 1...64, using: &random)), using: &random)
        let data = SuperFrames.payload(length, seed: UInt8(truncatingIfNeeded: seed))
        let id = UInt16.random(in: 0...UInt16.max, using: &random)
        let options: [UInt8] = Bool.random(using: &random) ? [1, 1, 1, 0] : []
        if tcp {
            let sequence = UInt32.random(in: 0...UInt32.max, using: &random)
            let allFlags: [TCPFlags] = [.fin, .psh, .ack, .cwr, .ece, .urg]
            var flags: TCPFlags = .ack
            for flag in allFlags where Bool.random(using: &random) { flags.insert(flag) }
            let frame = SuperFrames.tcp(payload: data, sequence: sequence, flags: flags, id: id, ipOptions: options)
            let header = SuperFrames.gsoHeader(frame, type: .tcpv4, size: size, ecn: flags.contains(.cwr))
            try expectSegmentedCorrectly(frame, header: header, payload: data, tcp: true, sequence: sequence, flags: flags, id: id,
                ipOptions: options)
        } else {
            let frame = SuperFrames.udp(payload: data, id: id, ipOptions: options)
            try expectSegmentedCorrectly(frame, header: SuperFrames.gsoHeader(frame, type: .udpL4, size: size), payload: data,
                tcp: false, id: id, ipOptions: options)
        }
    }
}
