// Hand-built Ethernet frames for the spoofing tests: well-formed ones and ones that break
// exactly one rule, each carrying a marker so a capture can be searched for it.

import Foundation

/// Builders of raw frames as byte arrays (wire order). Pure functions; no state.
enum PacketBuilder {
    /// "aa:bb:cc:dd:ee:ff" as six bytes.
    static func mac(_ text: String) throws -> [UInt8] {
        let parts = text.split(separator: ":").compactMap { UInt8($0, radix: 16) }
        guard parts.count == 6 else { throw HarnessError("bad MAC \(text)") }
        return parts
    }

    /// "10.1.2.3" as four bytes.
    static func ipv4(_ text: String) throws -> [UInt8] {
        let parts = text.split(separator: ".").compactMap { UInt8($0) }
        guard parts.count == 4 else { throw HarnessError("bad address \(text)") }
        return parts
    }

    static func be16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    static func checksum(_ bytes: [UInt8]) -> [UInt8] {
        var sum: UInt32 = 0
        for i in stride(from: 0, to: bytes.count, by: 2) {
            sum += UInt32(bytes[i]) << 8 | UInt32(i + 1 < bytes.count ? bytes[i + 1] : 0)
        }
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
        return be16(Int(~UInt16(sum)))
    }

    static func ethernet(dst: [UInt8], src: [UInt8], type: Int, _ payload: [UInt8]) -> [UInt8] {
        dst + src + be16(type) + payload
    }

    /// An IPv4 header with a valid checksum. `ihl` in 32-bit words; options (zeros, i.e.
    /// end-of-list) fill any words past 5; `totalLength` defaults to the true length.
    static func ipHeader(src: [UInt8], dst: [UInt8], proto: UInt8, payloadCount: Int, ihl: Int = 5,
        totalLength: Int? = nil) -> [UInt8]
    {
        let headerBytes = max(ihl, 5) * 4
        let total = totalLength ?? headerBytes + payloadCount
        var h: [UInt8] = [UInt8(0x40 | ihl), 0] + be16(total) + [0x12, 0x34, 0x40, 0, 64, proto, 0, 0] + src + dst
        h += [UInt8](repeating: 0, count: headerBytes - 20)
        let sum = checksum(h)
        h[10] = sum[0]
        h[11] = sum[1]
        return h
    }

    /// UDP header (checksum 0: allowed on IPv4) and payload.
    static func udp(srcPort: Int, dstPort: Int, _ payload: [UInt8]) -> [UInt8] {
        be16(srcPort) + be16(dstPort) + be16(8 + payload.count) + [0, 0] + payload
    }

    /// Ethernet + IPv4 + UDP with the IPv4 header's shape under the caller's control.
    static func udpFrame(srcMAC: [UInt8], dstMAC: [UInt8], src: String, srcPort: Int, dst: String, dstPort: Int,
        payload: String, ihl: Int = 5, totalLengthDelta: Int = 0) throws -> [UInt8]
    {
        let transport = udp(srcPort: srcPort, dstPort: dstPort, Array(payload.utf8))
        let headerBytes = max(ihl, 5) * 4
        let ip = ipHeader(src: try ipv4(src), dst: try ipv4(dst), proto: 17, payloadCount: transport.count, ihl: ihl,
            totalLength: headerBytes + transport.count + totalLengthDelta)
        return ethernet(dst: dstMAC, src: srcMAC, type: 0x0800, ip + transport)
    }

    /// An ARP reply (sender = the claimed address), padded to the minimum frame with `marker`.
    static func arpReply(srcMAC: [UInt8], sender: String, dstMAC: [UInt8], target: String, marker: String) throws
        -> [UInt8]
    {
        let arp: [UInt8] = [0, 1, 8, 0, 6, 4, 0, 2] + srcMAC + (try ipv4(sender)) + dstMAC + (try ipv4(target))
        return ethernet(dst: dstMAC, src: srcMAC, type: 0x0806, padded(arp, marker))
    }

    /// `payload` followed by `marker`, then zeros up to the 46-byte minimum Ethernet payload.
    static func padded(_ payload: [UInt8], _ marker: String) -> [UInt8] {
        let body = payload + Array(marker.utf8)
        return body + [UInt8](repeating: 0, count: max(0, 46 - body.count))
    }

    /// ICMP destination unreachable (port) from `src` to `dst`, quoting a UDP datagram
    /// `quotedSrc`:`quotedSrcPort` -> `quotedDst`:`quotedDstPort` (IPv4 header + 8 bytes).
    static func icmpPortUnreachable(srcMAC: [UInt8], dstMAC: [UInt8], src: String, dst: String, quotedSrc: String,
        quotedSrcPort: Int, quotedDst: String, quotedDstPort: Int) throws -> [UInt8]
    {
        let quotedUDP = udp(srcPort: quotedSrcPort, dstPort: quotedDstPort, Array("quoted".utf8))
        let quote = ipHeader(src: try ipv4(quotedSrc), dst: try ipv4(quotedDst), proto: 17, payloadCount: quotedUDP.count)
            + quotedUDP.prefix(8)
        var icmp: [UInt8] = [3, 3, 0, 0, 0, 0, 0, 0] + quote
        let sum = checksum(icmp)
        icmp[2] = sum[0]
        icmp[3] = sum[1]
        let ip = ipHeader(src: try ipv4(src), dst: try ipv4(dst), proto: 1, payloadCount: icmp.count)
        return ethernet(dst: dstMAC, src: srcMAC, type: 0x0800, ip + icmp)
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
}
