// A frame a tenant received (exo-testclient's `dp-recv-hex`), parsed and checked by hand,
// independently of ExoWire: Ethernet, IPv4 with its header checksum, UDP with its checksum.

import Foundation

/// One received IPv4/UDP frame, its checks already made. Pure value.
struct ReceivedDatagram: CustomStringConvertible {
    var frame: Int
    var source: String
    var destination: String
    var sourcePort: Int
    var destinationPort: Int
    /// IPv4 header length in bytes (more than 20 when the packet carries options).
    var headerLength: Int
    var isFragment: Bool
    var ipChecksumValid: Bool
    /// The UDP checksum field (0: none sent).
    var udpChecksum: Int
    /// True when the UDP checksum over the pseudo-header and the datagram verifies.
    var udpChecksumValid: Bool
    var payload: [UInt8]

    /// Correct and checksummed: a whole datagram whose both checksums verify.
    var isCorrectAndChecksummed: Bool { ipChecksumValid && udpChecksum != 0 && udpChecksumValid && !isFragment }

    var description: String {
        "frame \(frame) \(source):\(sourcePort) > \(destination):\(destinationPort) ihl=\(headerLength)"
            + " fragment=\(isFragment) ipsum=\(ipChecksumValid) udpsum=\(String(udpChecksum, radix: 16))"
            + " valid=\(udpChecksumValid) payload=\(payload.count)"
    }

    /// Parses a `dp-recv-hex` answer; nil when the frame is not IPv4/UDP (ARP and the rest),
    /// an error when the answer or the frame is malformed.
    static func parse(_ answer: String) throws -> ReceivedDatagram? {
        guard let frameText = TenantProcess.value("frame", in: answer), let frame = Int(frameText),
            let hexText = TenantProcess.value("hex", in: answer)
        else { throw HarnessError("not a dp-recv-hex answer: \(answer)") }
        let bytes = try bytes(hex: hexText)
        guard bytes.count >= 34, bytes[12] == 0x08, bytes[13] == 0x00, bytes[23] == 17 else { return nil }
        let ihl = Int(bytes[14] & 0x0F) * 4
        let total = Int(bytes[16]) << 8 | Int(bytes[17])
        guard ihl >= 20, total >= ihl, 14 + total <= bytes.count else { throw HarnessError("bad IPv4 lengths: \(hexText)") }
        let ip = Array(bytes[14..<(14 + ihl)])
        let flags = Int(bytes[20]) << 8 | Int(bytes[21])
        let isFragment = flags & 0x2000 != 0 || flags & 0x1FFF != 0
        let udp = Array(bytes[(14 + ihl)..<(14 + total)])
        guard udp.count >= 8 else { throw HarnessError("short UDP: \(hexText)") }
        let udpLength = Int(udp[4]) << 8 | Int(udp[5])
        guard isFragment || udpLength == udp.count else { throw HarnessError("UDP length \(udpLength) of \(udp.count)") }
        let pseudo = Array(ip[12..<20]) + [0, 17] + PacketBuilder.be16(udp.count)
        func dotted(_ at: Int) -> String { ip[at..<(at + 4)].map(String.init).joined(separator: ".") }
        return ReceivedDatagram(
            frame: frame, source: dotted(12), destination: dotted(16), sourcePort: Int(udp[0]) << 8 | Int(udp[1]),
            destinationPort: Int(udp[2]) << 8 | Int(udp[3]), headerLength: ihl, isFragment: isFragment,
            ipChecksumValid: PacketBuilder.checksum(ip) == [0, 0], udpChecksum: Int(udp[6]) << 8 | Int(udp[7]),
            udpChecksumValid: PacketBuilder.checksum(pseudo + udp) == [0, 0], payload: Array(udp.dropFirst(8)))
    }

    static func bytes(hex: String) throws -> [UInt8] {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { throw HarnessError("odd hex length") }
        return try stride(from: 0, to: digits.count, by: 2).map { i in
            guard let byte = UInt8(String(decoding: digits[i..<(i + 2)], as: UTF8.self), radix: 16) else {
                throw HarnessError("bad hex at \(i)")
            }
            return byte
        }
    }
}

extension TenantProcess {
    /// Every IPv4/UDP datagram the tenant receives until `quiet` milliseconds pass without
    /// one (or `limit` arrive); other frames are skipped. Each frame goes back on fill.
    func receiveDatagrams(limit: Int = 64, quiet: Int = 1000) throws -> [ReceivedDatagram] {
        var datagrams: [ReceivedDatagram] = []
        while datagrams.count < limit {
            let answer = try send("dp-recv-hex \(quiet)")
            guard answer.hasPrefix("ok") else { break }
            if let datagram = try ReceivedDatagram.parse(answer) { datagrams.append(datagram) }
            if let frame = TenantProcess.value("frame", in: answer) { try ok("dp-fill \(frame)") }
        }
        return datagrams
    }
}
