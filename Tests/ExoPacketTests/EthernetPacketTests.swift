// Ethernet II view and repr: fields of real frames, VLAN detection, and refusal of
// anything shorter than a header.
import ExoPacket
import Testing

@Suite struct EthernetFrameTests {
    @Test func readsTheHeaderOfARealFrame() throws {
        try withPacket(PacketSamples.udpDatagram) { bytes throws in
            let frame = try EthernetPacket(checking: bytes)
            #expect(frame.destination == PacketSamples.tenantMAC)
            #expect(frame.source == PacketSamples.hostMAC)
            #expect(frame.etherType == .ipv4)
            #expect(!frame.hasVLANTag)
            #expect(frame.payload.count == PacketSamples.udpDatagram.count - 14)
            #expect(frame.payload.u8(0) == 0x45)
        }
    }

    @Test func viewOverARawSpanSeesTheSameBytes() {
        let frame = PacketSamples.arpRequest
        let type = PacketBytes.with(frame.span.bytes) { bytes in
            (try? EthernetPacket(checking: bytes))?.etherType
        }
        #expect(type == .arp)
    }

    @Test(arguments: 0..<14) func everyTruncatedHeaderIsRefused(length: Int) {
        withPacket(Array(PacketSamples.udpDatagram.prefix(length))) { bytes in
            #expect(throws: PacketError.truncated) { try EthernetPacket(checking: bytes) }
        }
    }

    @Test func aBareHeaderHasAnEmptyPayload() throws {
        try withPacket(Array(PacketSamples.udpDatagram.prefix(14))) { bytes throws in
            #expect(try EthernetPacket(checking: bytes).payload.count == 0)
        }
    }

    @Test(arguments: [(0x8100, true), (0x88A8, true), (0x9100, true), (0x0800, false), (0x8808, false)])
    func vlanTagsAreDetected(type: UInt16, tagged: Bool) throws {
        var frame = PacketSamples.udpDatagram
        frame[12] = UInt8(type >> 8)
        frame[13] = UInt8(type & 0xFF)
        try withPacket(frame) { bytes throws in
            #expect(try EthernetPacket(checking: bytes).hasVLANTag == tagged)
        }
    }

    @Test func lengthsBelow0x600AreNotEtherTypes() {
        #expect(!EtherType(rawValue: 0x0026).isEthernetII)  // 802.3 length (spanning tree BPDU)
        #expect(!EtherType(rawValue: 0x05FF).isEthernetII)
        #expect(EtherType(rawValue: 0x0600).isEthernetII)
    }

    @Test func reprRoundTripsThroughBytes() throws {
        let repr = EthernetRepr(destination: .broadcast, source: PacketSamples.tenantMAC, etherType: .arp)
        var buffer = [UInt8](repeating: 0xEE, count: 20)
        try MutablePacketBytes.with(&buffer) { bytes throws in
            repr.emit(into: try MutableEthernetPacket(checking: bytes))
        }
        #expect(Array(buffer.prefix(14)) == PacketSamples.hex("ff ff ff ff ff ff 02 00 5e 10 00 01 08 06"))
        #expect(buffer[14...].allSatisfy { $0 == 0xEE })
        try withPacket(buffer) { bytes throws in #expect(EthernetRepr(parsing: try EthernetPacket(checking: bytes)) == repr) }
    }
}
