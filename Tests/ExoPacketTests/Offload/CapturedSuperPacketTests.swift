// A real UDP_SEGMENT super-frame as a PACKET_VNET_HDR socket on a veth received it from the
// peer kernel (Linux 6.x, this machine): 250 bytes sent with gso_size 100, checksum partial.
import ExoPacket
import Testing

@Suite struct CapturedSuperFrameTests {
    /// flags NEEDS_CSUM, gso_type UDP_L4, hdr_len 42, gso_size 100, csum_start 34, csum_offset 6.
    static let header: [UInt8] = [0x01, 0x05, 0x2A, 0x00, 0x64, 0x00, 0x22, 0x00, 0x06, 0x00]

    /// 10.251.11.2:40000 → 10.251.11.1:9, IP id 0x3c1a, DF; UDP length 258, checksum field
    /// holding the pseudo-header sum 0x2d0c; payload byte i is (7 × i) mod 256.
    static let frame: [UInt8] = {
        let head = hex(
            "5a 9b 62 1a 35 5e 0a 66 0c 8d 37 bc 08 00 45 00 01 16 3c 1a 40 00 40 11 d1 c4 0a fb 0b 02",
            "0a fb 0b 01 9c 40 00 09 01 02 2d 0c")
        return head + payload
    }()
    static let payload: [UInt8] = (0..<250).map { UInt8(($0 * 7) & 0xFF) }

    static func hex(_ lines: String...) -> [UInt8] {
        lines.joined(separator: " ").split(separator: " ").map { UInt8($0, radix: 16)! }
    }

    @Test func theHeaderReadsAsTheKernelWroteIt() throws {
        let parsed = try withPacket(Self.header) { bytes throws in
            try VirtioNetHeader(parsing: bytes, frameLength: Self.frame.count)
        }
        #expect(parsed == VirtioNetHeader(
            flags: .needsChecksum, gsoType: .udpL4, headerLength: 42, gsoSize: 100, checksumStart: 34, checksumOffset: 6))
    }

    @Test func theCapturedBurstSegmentsIntoThreeDatagramsThatVerify() throws {
        let parsed = try withPacket(Self.header) { bytes throws in
            try VirtioNetHeader(parsing: bytes, frameLength: Self.frame.count)
        }
        let facts = try expectSegmentedCorrectly(Self.frame, header: parsed, payload: Self.payload, tcp: false, id: 0x3C1A)
        #expect(facts.map(\.payload.count) == [100, 100, 50])
    }
}
