// Valid frames of every kind the strict parse accepts (and the ring and filter seeds reuse),
// built byte by byte: Ethernet II, IPv4 with a correct header checksum, UDP, TCP, ICMP, ARP.

enum SeedPackets {
    static let hostMAC: [UInt8] = [0x02, 0, 0, 0, 0, 0x01]
    /// The MAC the address plan gives 10.9.0.2 (02:00 and the address).
    static let tenantMAC: [UInt8] = [0x02, 0, 10, 9, 0, 2]
    static let host: [UInt8] = [10, 9, 0, 1]
    static let tenant: [UInt8] = [10, 9, 0, 2]

    static var all: [FuzzSeed] {
        [
            FuzzSeed("udp", udp(from: host, to: tenant, port: 7, payload: Array("hello".utf8))),
            FuzzSeed(
                "udp-padded", udp(from: host, to: tenant, port: 7, payload: []) + [UInt8](repeating: 0, count: 18)),
            FuzzSeed("tcp-syn-options", ethernet(0x0800, ipv4(proto: 6, from: host, to: tenant, body: tcpSYN()))),
            FuzzSeed(
                "icmp-echo",
                ethernet(
                    0x0800,
                    ipv4(
                        proto: 1, from: host, to: tenant, body: icmp(type: 8, rest: [0, 1, 0, 1], data: [1, 2, 3, 4])))),
            FuzzSeed(
                "icmp-unreachable",
                ethernet(
                    0x0800,
                    ipv4(
                        proto: 1, from: host, to: tenant,
                        body: icmp(
                            type: 3, code: 3, rest: [0, 0, 0, 0],
                            data: ipv4(proto: 17, from: tenant, to: host, body: [0, 7, 0, 9, 0, 8, 0, 0]))))),
            FuzzSeed(
                "ipv4-fragment",
                ethernet(
                    0x0800,
                    ipv4(proto: 17, from: host, to: tenant, flags: 0x2000, body: [UInt8](repeating: 1, count: 16)))),
            FuzzSeed(
                "ipv4-options",
                ethernet(
                    0x0800,
                    ipv4(
                        proto: 17, from: host, to: tenant, options: [1, 1, 1, 0], body: udpHeader(port: 7, payload: [9])
                    ))),
            FuzzSeed("arp-request", ethernet(0x0806, arpRequest(), to: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])),
        ]
    }

    static func be16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }

    /// An Ethernet II frame from the host's side of the link to the tenant (or to `destination`).
    static func ethernet(_ type: Int, _ payload: [UInt8], to destination: [UInt8] = tenantMAC) -> [UInt8] {
        destination + hostMAC + be16(type) + payload
    }

    /// A UDP datagram in a frame whose MACs go the way of its addresses (host to tenant, or
    /// tenant to the gateway).
    static func udp(from source: [UInt8], to destination: [UInt8], port: Int, payload: [UInt8]) -> [UInt8] {
        let ip = ipv4(proto: 17, from: source, to: destination, body: udpHeader(port: port, payload: payload))
        return source == tenant ? hostMAC + tenantMAC + be16(0x0800) + ip : ethernet(0x0800, ip)
    }

    static func udpHeader(port: Int, payload: [UInt8]) -> [UInt8] {
        be16(4000) + be16(port) + be16(8 + payload.count) + [0, 0] + payload
    }

    static func ipv4(
        proto: UInt8, from source: [UInt8], to destination: [UInt8], flags: Int = 0x4000, options: [UInt8] = [],
        body: [UInt8]
    ) -> [UInt8] {
        let headerLength = 20 + options.count
        var ip: [UInt8] = [UInt8(0x40 | headerLength / 4), 0] + be16(headerLength + body.count) + [0x12, 0x34]
        ip += be16(flags) + [64, proto, 0, 0] + source + destination + options
        let sum = checksum(ip)
        ip[10] = sum[0]
        ip[11] = sum[1]
        return ip + body
    }

    static func icmp(type: UInt8, code: UInt8 = 0, rest: [UInt8], data: [UInt8]) -> [UInt8] {
        var message = [type, code, 0, 0] + rest + data
        let sum = checksum(message)
        message[2] = sum[0]
        message[3] = sum[1]
        return message
    }

    /// A SYN with MSS, SACK permitted, timestamps and window scale (checksum left 0: the
    /// strict parse does not check it; the representation may refuse it).
    static func tcpSYN() -> [UInt8] {
        let options: [UInt8] = [2, 4, 5, 0xB4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7]
        return be16(4000) + be16(80) + [0, 0, 0, 1] + [0, 0, 0, 0] + [UInt8(((20 + options.count) / 4) << 4), 0x02]
            + be16(65535) + [0, 0] + [0, 0] + options
    }

    static func arpRequest() -> [UInt8] {
        [0, 1, 8, 0, 6, 4, 0, 1] + hostMAC + host + [0, 0, 0, 0, 0, 0] + tenant
    }

    /// The Internet checksum of `bytes`, big-endian.
    static func checksum(_ bytes: [UInt8]) -> [UInt8] {
        var sum: UInt32 = 0
        for index in stride(from: 0, to: bytes.count, by: 2) {
            sum += UInt32(bytes[index]) << 8 | UInt32(index + 1 < bytes.count ? bytes[index + 1] : 0)
        }
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
        return be16(Int(~UInt16(sum)))
    }
}
