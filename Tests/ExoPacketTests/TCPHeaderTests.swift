// TCP header view over a real Linux SYN: ports, numbers, flags, options, data offset rules.
import ExoPacket
import Testing

@Suite struct TCPHeaderTests {
    static let segment = Array(PacketSamples.tcpSyn[34...])

    @Test func readsARealSyn() throws {
        try withPacket(Self.segment) { bytes throws in
            let tcp = try TCPHeader(checking: bytes)
            #expect(tcp.sourcePort == 51000 && tcp.destinationPort == 80)
            #expect(tcp.sequenceNumber == 0x1234_5678 && tcp.acknowledgementNumber == 0)
            #expect(tcp.headerLength == 40 && tcp.flags == .syn)
            #expect(tcp.window == 64240 && tcp.urgentPointer == 0)
            #expect(tcp.options.count == 20 && tcp.options.u8(0) == 2)  // MSS first
            #expect(tcp.payload.count == 0)
            #expect(tcp.checksumIsValid(source: PacketSamples.host, destination: PacketSamples.tenant))
            #expect(!tcp.checksumIsValid(source: PacketSamples.host, destination: IPv4Address(10, 77, 0, 3)))
        }
    }

    @Test(arguments: 0..<40) func everyTruncationIsRefused(length: Int) {
        withPacket(Array(Self.segment.prefix(length))) { bytes in
            #expect(throws: PacketError.truncated) { try TCPHeader(checking: bytes) }
        }
    }

    @Test(arguments: 0..<5) func dataOffsetBelowFiveIsMalformed(words: UInt8) {
        var segment = Self.segment
        segment[12] = words << 4
        withPacket(segment) { bytes in
            #expect(throws: PacketError.malformed) { try TCPHeader(checking: bytes) }
        }
    }

    @Test func everyFlagBitIsDecoded() throws {
        let all: [TCPFlags] = [.fin, .syn, .rst, .psh, .ack, .urg, .ece, .cwr]
        for (bit, flag) in all.enumerated() {
            var segment = Self.segment
            segment[13] = 1 << bit
            try withPacket(segment) { bytes throws in #expect(try TCPHeader(checking: bytes).flags == flag) }
        }
    }
}
