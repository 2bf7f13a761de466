// ARP view and repr over a real request: fields, the type checks, every truncation.
import ExoPacket
import Testing

@Suite struct ARPPacketTests {
    static let packet = Array(PacketSamples.arpRequest[14...])

    @Test func readsARealRequest() throws {
        try withPacket(Self.packet) { bytes throws in
            let arp = try ARPPacket(checking: bytes)
            #expect(arp.operation == .request)
            #expect(arp.senderHardware == PacketSamples.hostMAC)
            #expect(arp.senderProtocol == PacketSamples.host)
            #expect(arp.targetHardware == .zero)
            #expect(arp.targetProtocol == PacketSamples.tenant)
        }
    }

    @Test(arguments: 0..<28) func everyTruncationIsRefused(length: Int) {
        withPacket(Array(Self.packet.prefix(length))) { bytes in
            #expect(throws: PacketError.truncated) { try ARPPacket(checking: bytes) }
        }
    }

    @Test(arguments: [(0, UInt8(0x06)), (3, 0xDD), (4, 0x10), (5, 0x10)])
    func otherHardwareOrProtocolIsMalformed(offset: Int, value: UInt8) {
        var packet = Self.packet
        packet[offset] = value
        withPacket(packet) { bytes in
            #expect(throws: PacketError.malformed) { try ARPPacket(checking: bytes) }
        }
    }

    @Test func reprParsesRequestAndEmitsTheSameBytes() throws {
        let repr = try withPacket(Self.packet) { bytes throws in try ARPRepr(parsing: try ARPPacket(checking: bytes)) }
        #expect(repr.senderProtocol == PacketSamples.host)
        var buffer = [UInt8](repeating: 0xAA, count: 28)
        MutablePacketBytes.with(&buffer) { repr.emit(into: $0) }
        #expect(buffer == Self.packet)
    }

    @Test func reprRefusesOperationsOtherThanRequestAndReply() {
        var packet = Self.packet
        packet[7] = 3  // RARP request
        withPacket(packet) { bytes in
            #expect(throws: PacketError.malformed) { try ARPRepr(parsing: try ARPPacket(checking: bytes)) }
        }
    }
}
