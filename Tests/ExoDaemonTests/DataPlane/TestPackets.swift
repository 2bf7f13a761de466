// Packets the data-plane tests inject and send: Ethernet + IPv4 + UDP, built byte by byte
// (header checksum computed, UDP checksum 0, as IPv4 allows).

import ExoPacket

enum TestPackets {
    static func bytes(_ mac: MACAddress) -> [UInt8] {
        (0..<6).map { UInt8(truncatingIfNeeded: mac.rawValue >> (40 - 8 * UInt64($0))) }
    }

    static func bytes(_ address: IPv4Address) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: address.rawValue >> (24 - 8 * UInt32($0))) }
    }

    static func be16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }

    /// Ethernet, IPv4 (no options, DF set, TTL 64) and UDP around `payload`.
    static func udp(
        from sourceMAC: MACAddress, _ source: IPv4Address, _ sourcePort: UInt16, to destinationMAC: MACAddress,
        _ destination: IPv4Address, _ destinationPort: UInt16, payload: [UInt8]
    ) -> [UInt8] {
        let udp = be16(Int(sourcePort)) + be16(Int(destinationPort)) + be16(8 + payload.count) + [0, 0] + payload
        return bytes(destinationMAC) + bytes(sourceMAC) + [0x08, 0x00]
            + ipv4(source, destination, proto: 17, flagsAndOffset: 0x4000, body: udp)
    }

    /// An IPv4 header (no options, TTL 64, identification 0x1234, checksum computed) and `body`.
    /// `flagsAndOffset` is the header's 16-bit field: DF 0x4000, MF 0x2000, offset in 8-byte units.
    static func ipv4(_ source: IPv4Address, _ destination: IPv4Address, proto: UInt8, flagsAndOffset: Int, body: [UInt8])
        -> [UInt8]
    {
        var ip: [UInt8] = [0x45, 0] + be16(20 + body.count) + [0x12, 0x34] + be16(flagsAndOffset) + [64, proto, 0, 0]
        ip += bytes(source) + bytes(destination)
        var sum: UInt32 = 0
        for index in stride(from: 0, to: 20, by: 2) { sum += UInt32(ip[index]) << 8 | UInt32(ip[index + 1]) }
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
        let checksum = be16(Int(~UInt16(sum)))
        ip[10] = checksum[0]
        ip[11] = checksum[1]
        return ip + body
    }

    /// The UDP datagram `udp(...)` would build, cut into two IPv4 fragments: the UDP header
    /// and the first 8 payload bytes, then the rest (`payload` must be longer than 8 bytes).
    static func udpFragments(
        from sourceMAC: MACAddress, _ source: IPv4Address, _ sourcePort: UInt16, to destinationMAC: MACAddress,
        _ destination: IPv4Address, _ destinationPort: UInt16, payload: [UInt8]
    ) -> [[UInt8]] {
        let udp = be16(Int(sourcePort)) + be16(Int(destinationPort)) + be16(8 + payload.count) + [0, 0] + payload
        let ethernet = bytes(destinationMAC) + bytes(sourceMAC) + [0x08, 0x00]
        return [
            ethernet + ipv4(source, destination, proto: 17, flagsAndOffset: 0x2000, body: Array(udp[..<16])),
            ethernet + ipv4(source, destination, proto: 17, flagsAndOffset: 2, body: Array(udp[16...])),
        ]
    }

    /// The UDP payload of a packet `udp(...)` built (no IPv4 options).
    static func payload(of packet: [UInt8]) -> [UInt8] { Array(packet.dropFirst(14 + 20 + 8)) }
}
