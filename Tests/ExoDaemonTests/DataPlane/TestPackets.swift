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
        var ip: [UInt8] = [0x45, 0] + be16(20 + udp.count) + [0x12, 0x34, 0x40, 0, 64, 17, 0, 0]
        ip += bytes(source) + bytes(destination)
        var sum: UInt32 = 0
        for index in stride(from: 0, to: 20, by: 2) { sum += UInt32(ip[index]) << 8 | UInt32(ip[index + 1]) }
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
        let checksum = be16(Int(~UInt16(sum)))
        ip[10] = checksum[0]
        ip[11] = checksum[1]
        return bytes(destinationMAC) + bytes(sourceMAC) + [0x08, 0x00] + ip + udp
    }

    /// The UDP payload of a packet `udp(...)` built (no IPv4 options).
    static func payload(of packet: [UInt8]) -> [UInt8] { Array(packet.dropFirst(14 + 20 + 8)) }
}
