// IPv4 view and repr over real datagrams: every field, every length rule, fragments,
// options, checksum, and emit reproducing a real header byte for byte.
import ExoPacket
import Testing

@Suite struct IPv4PacketTests {
    static let datagram = ipPayload(PacketSamples.udpDatagram)

    @Test func readsEveryFieldOfARealDatagram() throws {
        try withPacket(Self.datagram) { bytes throws in
            let ip = try IPv4Packet(checking: bytes)
            #expect(ip.version == 4 && ip.headerLength == 20 && !ip.hasOptions)
            #expect(ip.dscp == 0 && ip.ecn == 0)
            #expect(ip.totalLength == 34)
            #expect(ip.identification == 0x5A11)
            #expect(ip.dontFragment && !ip.moreFragments && !ip.reservedFlag)
            #expect(ip.fragmentOffset == 0 && !ip.isFragment)
            #expect(ip.timeToLive == 64 && ip.protocol == .udp)
            #expect(ip.checksum == 0xCC1D && ip.checksumIsValid)
            #expect(ip.source == PacketSamples.host && ip.destination == PacketSamples.tenant)
            #expect(ip.payload.count == 14 && ip.options.count == 0 && ip.header.count == 20)
        }
    }

    @Test(arguments: 0..<34) func everyTruncationIsRefused(length: Int) {
        withPacket(Array(Self.datagram.prefix(length))) { bytes in
            #expect(throws: PacketError.truncated) { try IPv4Packet(checking: bytes) }
        }
    }

    @Test func paddingAfterTheDatagramIsNotPayload() throws {
        try withPacket(Self.datagram + [0, 0, 0, 0, 0, 0]) { bytes throws in
            let ip = try IPv4Packet(checking: bytes)
            #expect(ip.payload.count == 14)
        }
    }

    @Test(arguments: [0x05, 0x65, 0x44, 0x40, 0x4F]) func badVersionOrIHLIsMalformed(first: UInt8) {
        // version 0, version 6, IHL 4, IHL 0, IHL 15 (60 bytes > total length 34)
        var datagram = Self.datagram
        datagram[0] = first
        withPacket(datagram) { bytes in
            #expect(throws: PacketError.malformed) { try IPv4Packet(checking: bytes) }
        }
    }

    @Test func totalLengthBelowTheHeaderIsMalformed() {
        var datagram = Self.datagram
        datagram[3] = 19
        withPacket(datagram) { bytes in
            #expect(throws: PacketError.malformed) { try IPv4Packet(checking: bytes) }
        }
    }

    @Test func optionsAreVisible() throws {
        // IHL 6 with a 4-byte option (loose source route stub), total length 24.
        var header = Array(Self.datagram.prefix(20)) + [0x83, 0x04, 0x00, 0x00]
        header[0] = 0x46
        header[2] = 0
        header[3] = 24
        try withPacket(header) { bytes throws in
            let ip = try IPv4Packet(checking: bytes)
            #expect(ip.hasOptions && ip.headerLength == 24)
            #expect(ip.options.array == [0x83, 0x04, 0x00, 0x00])
            #expect(ip.payload.count == 0)
        }
    }

    @Test(arguments: [(0x2000, true, 0), (0x0001, true, 8), (0x1FFF, true, 65_528), (0x4000, false, 0)])
    func fragmentFieldsAreDecoded(word: Int, fragment: Bool, offset: Int) throws {
        var datagram = Self.datagram
        datagram[6] = UInt8(word >> 8)
        datagram[7] = UInt8(word & 0xFF)
        try withPacket(datagram) { bytes throws in
            let ip = try IPv4Packet(checking: bytes)
            #expect(ip.isFragment == fragment)
            #expect(ip.fragmentOffset == offset)
            #expect(ip.moreFragments == (word & 0x2000 != 0))
        }
    }

    @Test func anyCorruptedHeaderByteFailsTheChecksum() throws {
        for offset in 0..<20 where offset != 0 && !(2...3).contains(offset) {  // keep the view checkable
            var datagram = Self.datagram
            datagram[offset] ^= 0x10
            try withPacket(datagram) { bytes throws in #expect(!(try IPv4Packet(checking: bytes).checksumIsValid), "byte \(offset)") }
        }
    }

    @Test func reprParsesAndEmitsARealHeaderByteForByte() throws {
        let repr = try withPacket(Self.datagram) { bytes throws in try IPv4Repr(parsing: try IPv4Packet(checking: bytes)) }
        #expect(repr == IPv4Repr(
            source: PacketSamples.host, destination: PacketSamples.tenant, protocol: .udp, payloadLength: 14,
            timeToLive: 64, identification: 0x5A11, dontFragment: true))
        var buffer = [UInt8](repeating: 0, count: 20) + Self.datagram[20...]
        try MutablePacketBytes.with(&buffer) { bytes throws in _ = try repr.emit(into: bytes) }
        #expect(buffer == Self.datagram)
    }

    @Test func reprRefusesBadChecksumOptionsAndFragments() {
        var badSum = Self.datagram
        badSum[11] ^= 1
        var fragment = Self.datagram
        fragment[6] = 0x20
        for (datagram, error) in [(badSum, PacketError.badChecksum), (fragment, .badChecksum)] {
            withPacket(datagram) { bytes in
                #expect(throws: error) { try IPv4Repr(parsing: try IPv4Packet(checking: bytes)) }
            }
        }
        // A fragment with a correct checksum is still refused: reprs are whole datagrams.
        var refilled = fragment
        MutablePacketBytes.with(&refilled) { try! MutableIPv4Packet(checking: $0).fillChecksum() }
        withPacket(refilled) { bytes in
            #expect(throws: PacketError.malformed) { try IPv4Repr(parsing: try IPv4Packet(checking: bytes)) }
        }
    }

    @Test func emitRefusesBuffersAndLengthsThatDoNotFit() {
        var small = [UInt8](repeating: 0, count: 33)
        let repr = IPv4Repr(source: PacketSamples.host, destination: PacketSamples.tenant, protocol: .udp, payloadLength: 14)
        MutablePacketBytes.with(&small) { bytes in
            #expect(throws: PacketError.truncated) { try repr.emit(into: bytes) }
        }
        var huge = repr
        huge.payloadLength = 65_516
        MutablePacketBytes.with(&small) { bytes in
            #expect(throws: PacketError.malformed) { try huge.emit(into: bytes) }
        }
    }

    @Test func settersRewriteFieldsAndFillChecksumRepairs() throws {
        var datagram = Self.datagram
        try MutablePacketBytes.with(&datagram) { bytes throws in
            let ip = try MutableIPv4Packet(checking: bytes)
            ip.setTimeToLive(1)
            ip.setSource(IPv4Address(192, 0, 2, 9))
            ip.setFragment(dontFragment: false, moreFragments: true, offset: 1480)
            #expect(!ip.view.checksumIsValid)
            ip.fillChecksum()
            #expect(ip.view.checksumIsValid)
            #expect(ip.view.timeToLive == 1 && ip.view.source == IPv4Address(192, 0, 2, 9))
            #expect(ip.view.fragmentOffset == 1480 && ip.view.moreFragments && !ip.view.dontFragment)
            #expect(ip.payload.count == 14)
        }
    }
}
