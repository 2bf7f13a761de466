// Frames tenants send to each other in the hairpin and capture suites: UDP with a real
// checksum, a broadcast ARP request and an ICMP echo request, plus a UDP checksum check.

import Foundation

extension PacketBuilder {
    /// Ethernet + IPv4 + UDP whose UDP checksum is computed over the pseudo-header.
    static func checksummedUDP(srcMAC: [UInt8], dstMAC: [UInt8], src: String, srcPort: Int, dst: String, dstPort: Int,
        payload: String) throws -> [UInt8]
    {
        var transport = udp(srcPort: srcPort, dstPort: dstPort, Array(payload.utf8))
        let s = try ipv4(src), d = try ipv4(dst)
        let sum = checksum(s + d + [0, 17] + be16(transport.count) + transport)
        transport[6] = sum[0]
        transport[7] = sum[1]
        let ip = ipHeader(src: s, dst: d, proto: 17, payloadCount: transport.count)
        return ethernet(dst: dstMAC, src: srcMAC, type: 0x0800, ip + transport)
    }

    /// True when `frame` is IPv4/UDP (no options) with a nonzero UDP checksum that verifies.
    static func udpChecksumIsValid(_ frame: [UInt8]) -> Bool {
        guard frame.count >= 42, frame[12] == 0x08, frame[13] == 0x00, frame[14] == 0x45, frame[23] == 17 else { return false }
        let length = Int(frame[38]) << 8 | Int(frame[39])
        guard length >= 8, 34 + length <= frame.count, frame[40] != 0 || frame[41] != 0 else { return false }
        let pseudo = Array(frame[26..<34]) + [0, 17] + be16(length)
        return checksum(pseudo + Array(frame[34..<(34 + length)])) == [0, 0]
    }

    /// A broadcast ARP request: who has `target`, tell `sender` (at `srcMAC`), padded with `marker`.
    static func arpRequest(srcMAC: [UInt8], sender: String, target: String, marker: String) throws -> [UInt8] {
        let arp: [UInt8] = [0, 1, 8, 0, 6, 4, 0, 1] + srcMAC + (try ipv4(sender)) + [0, 0, 0, 0, 0, 0] + (try ipv4(target))
        return ethernet(dst: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], src: srcMAC, type: 0x0806, padded(arp, marker))
    }

    /// An ICMP echo request (identifier 0x4242, sequence 1) carrying `payload`.
    static func echoRequest(srcMAC: [UInt8], dstMAC: [UInt8], src: String, dst: String, payload: String) throws -> [UInt8] {
        var icmp: [UInt8] = [8, 0, 0, 0, 0x42, 0x42, 0, 1] + Array(payload.utf8)
        let sum = checksum(icmp)
        icmp[2] = sum[0]
        icmp[3] = sum[1]
        let ip = ipHeader(src: try ipv4(src), dst: try ipv4(dst), proto: 1, payloadCount: icmp.count)
        return ethernet(dst: dstMAC, src: srcMAC, type: 0x0800, ip + icmp)
    }

    /// "ok frame=N hex=..." as bytes.
    static func received(_ answer: String) throws -> [UInt8] {
        guard let hex = TenantProcess.value("hex", in: answer) else { throw HarnessError("no frame: \(answer)") }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { throw HarnessError("bad hex \(answer)") }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
