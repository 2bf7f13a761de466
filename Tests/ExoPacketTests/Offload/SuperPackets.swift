// Builds GSO super-frames the way a peer kernel hands them to a PACKET_VNET_HDR socket (the
// transport checksum field holding only the pseudo-header sum), and collects what segmenting yields.
import ExoPacket
import Testing

enum SuperFrames {
    static let hostMAC = MACAddress(0x3A, 0x1F, 0x6C, 0x90, 0x0E, 0x21)
    static let tenantMAC = MACAddress(0x02, 0x00, 0x5E, 0x10, 0x00, 0x01)
    static let source = IPv4Address(10, 77, 0, 1)
    static let destination = IPv4Address(10, 77, 0, 2)

    /// Deterministic payload bytes that differ from segment to segment.
    static func payload(_ count: Int, seed: UInt8 = 0) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(seed) &+ $0 >> 8) }
    }

    /// Ethernet + IPv4 (with `ipOptions`, a multiple of 4 bytes) + `transport`, IP checksum filled.
    static func frame(protocol proto: UInt8, id: UInt16, ipOptions: [UInt8] = [], transport: [UInt8]) -> [UInt8] {
        let ihl = 20 + ipOptions.count
        let total = ihl + transport.count
        var ip: [UInt8] = [
            UInt8(0x40 | ihl / 4), 0, UInt8(total >> 8), UInt8(total & 0xFF), UInt8(id >> 8), UInt8(id & 0xFF), 0x40, 0,
            64, proto, 0, 0,
        ]
        ip += [10, 77, 0, 1, 10, 77, 0, 2] + ipOptions
        let sum = withPacket(ip) { InternetChecksum.of($0) }
        ip[10] = UInt8(sum >> 8)
        ip[11] = UInt8(sum & 0xFF)
        return ethernetHeader + ip + transport
    }

    static let ethernetHeader: [UInt8] = [0x02, 0x00, 0x5E, 0x10, 0x00, 0x01, 0x3A, 0x1F, 0x6C, 0x90, 0x0E, 0x21, 0x08, 0x00]

    /// The pseudo-header sum a partial checksum leaves in the field (not complemented).
    static func pseudoSum(_ proto: IPProtocol, length: Int) -> UInt16 {
        InternetChecksum(pseudoHeaderSource: source, destination: destination, protocol: proto, length: UInt16(length)).sum
    }

    static func tcp(
        payload data: [UInt8], sequence: UInt32 = 0x1000_0000, flags: TCPFlags = [.ack, .psh], id: UInt16 = 0x4242,
        ipOptions: [UInt8] = [], tcpOptions: [UInt8] = []
    ) -> [UInt8] {
        let thl = 20 + tcpOptions.count
        var tcp: [UInt8] = [0x9C, 0x40, 0x00, 0x50]
        tcp += [UInt8(sequence >> 24), UInt8((sequence >> 16) & 0xFF), UInt8((sequence >> 8) & 0xFF), UInt8(sequence & 0xFF)]
        tcp += [0, 0, 0x12, 0x34, UInt8(thl / 4) << 4, UInt8(flags.rawValue & 0xFF), 0xFF, 0xFF]
        let pseudo = pseudoSum(.tcp, length: thl + data.count)
        tcp += [UInt8(pseudo >> 8), UInt8(pseudo & 0xFF), 0, 0] + tcpOptions + data
        return frame(protocol: 6, id: id, ipOptions: ipOptions, transport: tcp)
    }

    static func udp(payload data: [UInt8], id: UInt16 = 0x0101, ipOptions: [UInt8] = []) -> [UInt8] {
        let length = 8 + data.count
        let pseudo = pseudoSum(.udp, length: length)
        let udp: [UInt8] = [0x9C, 0x40, 0x13, 0x88, UInt8(length >> 8), UInt8(length & 0xFF), UInt8(pseudo >> 8), UInt8(pseudo & 0xFF)]
        return frame(protocol: 17, id: id, ipOptions: ipOptions, transport: udp + data)
    }

    /// The header a packet socket gives a GSO super-frame of `frame` with a partial checksum.
    static func gsoHeader(_ frame: [UInt8], type: VirtioNetHeader.GSOType, size: Int, ecn: Bool = false) -> VirtioNetHeader {
        let ihl = Int(frame[14] & 0x0F) * 4
        return VirtioNetHeader(
            flags: .needsChecksum, gsoType: type, ecn: ecn, headerLength: UInt16(min(frame.count, 14 + ihl + 20)),
            gsoSize: UInt16(size), checksumStart: UInt16(14 + ihl), checksumOffset: type == .tcpv4 ? 16 : 6)
    }

    /// Segments `frame` and returns copies of the segments (tests only: allocates).
    static func segments(
        _ frame: [UInt8], header: VirtioNetHeader, maximumFrame: Int = 65_536
    ) throws -> [[UInt8]] {
        var scratch = [UInt8](repeating: 0xEE, count: maximumFrame)
        var result: [[UInt8]] = []
        let count = try frame.withUnsafeBytes { (raw) throws -> Int in
            try scratch.withUnsafeMutableBytes { (out) throws -> Int in
                try Offload.segment(
                    PacketBytes(unsafeBuffer: raw), header: header, scratch: MutablePacketBytes(unsafeBuffer: out),
                    maximumFrame: maximumFrame
                ) { result.append($0.array) }
            }
        }
        precondition(count == result.count)
        return result
    }

    /// The fault `body` throws, or nil (any other error fails the test).
    static func fault(_ body: () throws -> Void) -> OffloadFault? {
        do {
            try body()
            return nil
        } catch let fault as OffloadFault {
            return fault
        } catch {
            Issue.record("not an OffloadFault: \(error)")
            return nil
        }
    }
}
