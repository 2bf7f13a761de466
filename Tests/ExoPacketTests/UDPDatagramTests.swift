// UDP view and repr over a real datagram: ports, length rules, pseudo-header checksum.
import ExoPacket
import Testing

@Suite struct UDPDatagramTests {
    static let datagram = Array(PacketSamples.udpDatagram[34...])

    @Test func readsARealDatagramAndVerifiesItsChecksum() throws {
        try withPacket(Self.datagram) { bytes throws in
            let udp = try UDPDatagram(checking: bytes)
            #expect(udp.sourcePort == 40000 && udp.destinationPort == 7)
            #expect(udp.length == 14 && udp.checksum == 0x0B12)
            #expect(udp.payload.array == Array("hello\n".utf8))
            #expect(udp.checksumIsValid(source: PacketSamples.host, destination: PacketSamples.tenant))
            // The pseudo-header matters: the same bytes between other addresses do not verify.
            #expect(!udp.checksumIsValid(source: PacketSamples.tenant, destination: PacketSamples.tenant))
        }
    }

    @Test(arguments: 0..<14) func everyTruncationIsRefused(length: Int) {
        withPacket(Array(Self.datagram.prefix(length))) { bytes in
            #expect(throws: PacketError.truncated) { try UDPDatagram(checking: bytes) }
        }
    }

    @Test(arguments: 0..<8) func lengthFieldBelowTheHeaderIsMalformed(length: Int) {
        var datagram = Self.datagram
        datagram[5] = UInt8(length)
        withPacket(datagram) { bytes in
            #expect(throws: PacketError.malformed) { try UDPDatagram(checking: bytes) }
        }
    }

    @Test func zeroChecksumMeansNone() throws {
        var datagram = Self.datagram
        datagram[6] = 0
        datagram[7] = 0
        try withPacket(datagram) { bytes throws in
            #expect(try UDPDatagram(checking: bytes).checksumIsValid(source: .any, destination: .broadcast))
        }
    }

    @Test func reprParsesAndEmitsTheSameBytes() throws {
        let repr = try withPacket(Self.datagram) {
            try UDPRepr(parsing: try UDPDatagram(checking: $0), source: PacketSamples.host, destination: PacketSamples.tenant)
        }
        #expect(repr == UDPRepr(sourcePort: 40000, destinationPort: 7, payloadLength: 6))
        var buffer = [UInt8](repeating: 0, count: 8) + Array("hello\n".utf8)
        try MutablePacketBytes.with(&buffer) {
            _ = try repr.emit(into: $0, source: PacketSamples.host, destination: PacketSamples.tenant)
        }
        #expect(buffer == Self.datagram)
    }

    @Test func reprRefusesBadChecksumAndPortZero() {
        var corrupted = Self.datagram
        corrupted[9] ^= 0x01
        var portZero = Self.datagram
        portZero[2] = 0
        portZero[3] = 0
        for (datagram, error) in [(corrupted, PacketError.badChecksum), (portZero, .malformed)] {
            withPacket(datagram) { bytes in
                #expect(throws: error) {
                    try UDPRepr(parsing: try UDPDatagram(checking: bytes), source: PacketSamples.host, destination: PacketSamples.tenant)
                }
            }
        }
    }

    @Test func aComputedZeroChecksumIsSentAsAllOnes() throws {
        // Find a payload whose checksum comes out 0, then check the emitted field is 0xFFFF.
        for word in UInt16.min...UInt16.max {
            var buffer = [UInt8](repeating: 0, count: 10)
            buffer[8] = UInt8(word >> 8)
            buffer[9] = UInt8(word & 0xFF)
            let repr = UDPRepr(sourcePort: 1, destinationPort: 2, payloadLength: 2)
            try MutablePacketBytes.with(&buffer) { bytes throws in _ = try repr.emit(into: bytes, source: .any, destination: .any) }
            if buffer[6] == 0xFF && buffer[7] == 0xFF {
                try withPacket(buffer) { bytes throws in #expect(try UDPDatagram(checking: bytes).checksumIsValid(source: .any, destination: .any)) }
                return
            }
            #expect(!(buffer[6] == 0 && buffer[7] == 0))
        }
        Issue.record("no payload produced a zero checksum")
    }
}
