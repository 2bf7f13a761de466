// The virtio-net header as a packet socket writes it: little-endian fields, the ECN bit, and
// every check against the frame that follows it.
import ExoPacket
import Testing

@Suite struct VirtioNetHeaderTests {
    /// A TCPv4 GSO header with ECN as a packet socket writes it: NEEDS_CSUM, hdr_len 66,
    /// gso_size 1448, csum_start 34, csum_offset 16.
    static let tcpECN: [UInt8] = [0x01, 0x81, 0x42, 0x00, 0xA8, 0x05, 0x22, 0x00, 0x10, 0x00]

    static func parse(_ bytes: [UInt8], frameLength: Int = 9000) throws -> VirtioNetHeader {
        try bytes.withUnsafeBytes { (raw) throws -> VirtioNetHeader in
            try VirtioNetHeader(parsing: PacketBytes(unsafeBuffer: raw), frameLength: frameLength)
        }
    }

    @Test func readsLittleEndianFieldsAndTheECNBit() throws {
        let header = try Self.parse(Self.tcpECN)
        #expect(header.flags == .needsChecksum && header.gsoType == .tcpv4 && header.ecn)
        #expect(header.headerLength == 66 && header.gsoSize == 1448)
        #expect(header.checksumStart == 34 && header.checksumOffset == 16)
        #expect(header.isSegmentationOffload)
    }

    @Test func emitWritesWhatParseReads() throws {
        var bytes = [UInt8](repeating: 0xFF, count: 10)
        let header = try Self.parse(Self.tcpECN)
        MutablePacketBytes.with(&bytes) { header.emit(into: $0) }
        #expect(bytes == Self.tcpECN)
        var zero = [UInt8](repeating: 0xFF, count: 10)
        MutablePacketBytes.with(&zero) { VirtioNetHeader().emit(into: $0) }
        #expect(zero == [UInt8](repeating: 0, count: 10))
        #expect(try !Self.parse(zero).isSegmentationOffload)
    }

    static let refusals: [(String, [UInt8], Int, OffloadFault)] = [
        ("9 bytes", Array(tcpECN.prefix(9)), 9000, .truncatedHeader),
        ("RSC_INFO flag", [0x05] + tcpECN.dropFirst(), 9000, .unknownFlags),
        ("flag 0x80", [0x81] + tcpECN.dropFirst(), 9000, .unknownFlags),
        ("GSO type 2", [0x01, 0x02] + tcpECN.dropFirst(2), 9000, .unknownGSOType),
        ("GSO type 6", [0x01, 0x06] + tcpECN.dropFirst(2), 9000, .unknownGSOType),
        ("ECN on UDP_L4", [0x01, 0x85] + tcpECN.dropFirst(2), 9000, .unknownGSOType),
        ("ECN without GSO", [0x01, 0x80] + tcpECN.dropFirst(2), 9000, .unknownGSOType),
        ("gso_size 0", [0x01, 0x01, 0x42, 0, 0, 0, 0x22, 0, 0x10, 0], 9000, .zeroSegmentSize),
        ("hdr_len past the frame", tcpECN, 65, .headerLengthBeyondFrame),
        ("checksum field past the frame", [0x01, 0x00, 0, 0, 0, 0, 0x22, 0x00, 0x10, 0x00], 51, .badChecksumLocation),
        ("csum_start past the frame", [0x01, 0x00, 0, 0, 0, 0, 0xFF, 0xFF, 0x00, 0x00], 9000, .badChecksumLocation),
        ("csum_offset at its maximum", [0x01, 0x00, 0, 0, 0, 0, 0xFF, 0xFF, 0xFE, 0xFF], 9000, .badChecksumLocation),
        ("odd csum_offset", [0x01, 0x00, 0, 0, 0, 0, 0x22, 0x00, 0x07, 0x00], 9000, .badChecksumLocation),
    ]

    @Test(arguments: refusals.indices) func badHeadersAreRefusedByName(index: Int) {
        let (name, bytes, frameLength, fault) = Self.refusals[index]
        #expect(SuperFrames.fault { _ = try Self.parse(bytes, frameLength: frameLength) } == fault, "\(name)")
    }

    @Test func aChecksumFieldEndingExactlyAtTheFrameEndIsAccepted() throws {
        let header = try Self.parse([0x01, 0x00, 0, 0, 0, 0, 0x22, 0x00, 0x10, 0x00], frameLength: 52)
        #expect(header.checksumStart == 34)
    }

    @Test func withoutNeedsChecksumTheChecksumFieldsAreNotInterpreted() throws {
        let header = try Self.parse([0x02, 0x00, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF], frameLength: 60)
        #expect(header.flags == .dataValid)
    }
}
