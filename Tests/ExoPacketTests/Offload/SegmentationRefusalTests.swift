// Every super-frame segmentation refuses, by name, and nothing handed over when it does; the
// header, completion and segmentation refusals together name every OffloadFault.
import ExoPacket
import Testing

@Suite struct SegmentationRefusalTests {
    static let tcp = SuperFrames.tcp(payload: SuperFrames.payload(3000))
    static let udp = SuperFrames.udp(payload: SuperFrames.payload(3000))
    static let tcpHeader = SuperFrames.gsoHeader(tcp, type: .tcpv4, size: 1000)
    static let udpHeader = SuperFrames.gsoHeader(udp, type: .udpL4, size: 1000)

    static func edited(_ frame: [UInt8], refillIP: Bool = true, _ edit: (inout [UInt8]) -> Void) -> [UInt8] {
        var copy = frame
        edit(&copy)
        guard refillIP else { return copy }
        let ihl = Int(copy[14] & 0x0F) * 4
        guard ihl >= 20, copy.count >= 14 + ihl else { return copy }
        copy[24] = 0
        copy[25] = 0
        let sum = withPacket(Array(copy[14..<(14 + ihl)])) { InternetChecksum.of($0) }
        copy[24] = UInt8(sum >> 8)
        copy[25] = UInt8(sum & 0xFF)
        return copy
    }

    static func with(_ header: VirtioNetHeader, _ edit: (inout VirtioNetHeader) -> Void) -> VirtioNetHeader {
        var copy = header
        edit(&copy)
        return copy
    }

    static let cases: [(String, [UInt8], VirtioNetHeader, OffloadFault)] = [
        ("TCPv6 GSO", tcp, with(tcpHeader) { $0.gsoType = .tcpv6 }, .unsupportedGSOType),
        ("UFO", udp, with(udpHeader) { $0.gsoType = .udp }, .unsupportedGSOType),
        ("UDP_L4 over IPv6", edited(udp, refillIP: false) { $0[12] = 0x86; $0[13] = 0xDD }, udpHeader, .unsupportedGSOType),
        ("GSO over ARP", edited(udp, refillIP: false) { $0[12] = 0x08; $0[13] = 0x06 }, udpHeader, .notIPv4),
        ("GSO over a VLAN tag", edited(udp, refillIP: false) { $0[12] = 0x81; $0[13] = 0x00 }, udpHeader, .notIPv4),
        ("gso_size 0", udp, with(udpHeader) { $0.gsoSize = 0 }, .zeroSegmentSize),
        ("hdr_len past the frame", udp, with(udpHeader) { $0.headerLength = UInt16(udp.count + 1) }, .headerLengthBeyondFrame),
        ("IPv4 version 6", edited(udp) { $0[14] = 0x65 }, udpHeader, .malformedIPv4),
        ("IPv4 total length short of the frame", edited(udp) { $0[16] = 0x05 }, udpHeader, .malformedIPv4),
        ("IPv4 total length past the frame", edited(udp) { $0[16] = 0x0F }, udpHeader, .malformedIPv4),
        ("a fragment", edited(udp) { $0[20] = 0x20 }, udpHeader, .malformedIPv4),
        ("reserved flag", edited(udp) { $0[20] = 0xC0 }, udpHeader, .malformedIPv4),
        ("bad IPv4 header checksum", edited(udp, refillIP: false) { $0[24] ^= 1 }, udpHeader, .badIPChecksum),
        ("TCP GSO of a UDP datagram", udp, with(udpHeader) { $0.gsoType = .tcpv4; $0.checksumOffset = 16 }, .protocolMismatch),
        ("UDP_L4 of a TCP segment", tcp, with(tcpHeader) { $0.gsoType = .udpL4; $0.checksumOffset = 6 }, .protocolMismatch),
        ("TCP data offset 4", edited(tcp) { $0[46] = 0x40 }, tcpHeader, .malformedTransport),
        ("UDP length short of the datagram", edited(udp) { $0[38] = 0x05 }, udpHeader, .malformedTransport),
        ("UDP length 7", edited(udp) { $0[38] = 0; $0[39] = 7 }, udpHeader, .malformedTransport),
        ("csum_start not the transport header", udp, with(udpHeader) { $0.checksumStart = 30 }, .badChecksumLocation),
        ("csum_offset not UDP's checksum", udp, with(udpHeader) { $0.checksumOffset = 4 }, .badChecksumLocation),
        ("csum_offset not TCP's checksum", tcp, with(tcpHeader) { $0.checksumOffset = 6 }, .badChecksumLocation),
        ("unknown flag", udp, with(udpHeader) { $0.flags = .init(rawValue: 8) }, .unknownFlags),
        ("ECN on UDP", udp, with(udpHeader) { $0.ecn = true }, .unknownGSOType),
        ("segment larger than the maximum frame", udp, with(udpHeader) { $0.gsoSize = 1600 }, .segmentTooLarge),
    ]

    @Test(arguments: cases.indices) func badSuperFramesAreRefusedByNameAndNothingIsHandedOver(index: Int) {
        let (name, frame, header, fault) = Self.cases[index]
        var handed = 0
        var scratch = [UInt8](repeating: 0, count: 1600)
        let thrown = SuperFrames.fault {
            try frame.withUnsafeBytes { (raw) throws in
                try scratch.withUnsafeMutableBytes { (out) throws in
                    _ = try Offload.segment(
                        PacketBytes(unsafeBuffer: raw), header: header, scratch: MutablePacketBytes(unsafeBuffer: out),
                        maximumFrame: 1600
                    ) { _ in handed += 1 }
                }
            }
        }
        #expect(thrown == fault, "\(name)")
        #expect(handed == 0, "\(name)")
    }

    @Test func theUneditedFramesSegment() throws {
        #expect(try SuperFrames.segments(Self.tcp, header: Self.tcpHeader, maximumFrame: 1600).count == 3)
        #expect(try SuperFrames.segments(Self.udp, header: Self.udpHeader, maximumFrame: 1600).count == 3)
    }

    @Test func aScratchBufferSmallerThanASegmentIsRefused() {
        var scratch = [UInt8](repeating: 0, count: 1000)
        let thrown = SuperFrames.fault {
            try Self.udp.withUnsafeBytes { (raw) throws in
                try scratch.withUnsafeMutableBytes { (out) throws in
                    _ = try Offload.segment(PacketBytes(unsafeBuffer: raw), header: Self.udpHeader,
                        scratch: MutablePacketBytes(unsafeBuffer: out), maximumFrame: 9000) { _ in }
                }
            }
        }
        #expect(thrown == .segmentTooLarge)
    }

    @Test func everyFaultIsExercisedAndNamedOnce() {
        let named = Set(Self.cases.map(\.3)).union(VirtioNetHeaderTests.refusals.map(\.3)).union([.needsSegmentation])
        #expect(named == Set(OffloadFault.allCases))
        #expect(Set(OffloadFault.allCases.map(\.name)).count == OffloadFault.allCases.count)
    }
}
