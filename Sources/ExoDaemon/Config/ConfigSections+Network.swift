// Decodes the network keys: the [nic] section and each tenant's `addresses` and `ports`
// ("udp 10.77.0.10 5000-5099", "icmp 10.77.0.10 100-199" for echo identifiers). Syntax only; subnets and overlaps are ConfigValidator's job.

import ExoCore
import ExoWire
import ExoPacket

extension ConfigLoader {
    static let nicKeys = ["backend", "name", "mtu", "host_address", "gateway_mac", "busy_poll", "on_link_loss"]

    static func decodeNic(_ section: TOMLSection) throws(ConfigError) -> NicConfig {
        try section.rejectUnknownKeys(known: nicKeys)
        guard let text = try section.string("host_address") else {
            throw section.error("host_address", "missing: [nic] needs the host side's address, e.g. \"10.77.0.1/24\"")
        }
        guard let (address, prefix) = parseAddressWithPrefix(text) else {
            throw section.error("host_address", "'\(text)' is not an IPv4 address with a prefix length, e.g. \"10.77.0.1/24\"")
        }
        var nic = NicConfig(hostAddress: address, prefixLength: prefix)
        if let backend = try section.string("backend") { nic.backend = backend }
        if let name = try section.string("name") { nic.name = name }
        if let mtu = try section.integer("mtu", as: UInt32.self) { nic.mtu = mtu }
        if let text = try section.string("gateway_mac") {
            guard let mac = MACAddress(text), mac.isUnicast else {
                throw section.error("gateway_mac", "'\(text)' is not a unicast MAC address, e.g. \"02:00:5e:10:00:01\"")
            }
            nic.gatewayMAC = mac
        }
        if let busy = try section.bool("busy_poll") { nic.busyPoll = busy }
        if let text = try section.string("on_link_loss") { nic.onLinkLoss = try .parse(text, in: section) }
        return nic
    }

    static func decodeAddresses(_ section: TOMLSection) throws(ConfigError) -> [IPv4Address] {
        try strings("addresses", in: section).enumerated().map { (index, text) throws(ConfigError) in
            guard let address = IPv4Address(text) else {
                throw ConfigError(
                    file: section.file, key: "\(section.path(of: "addresses"))[\(index)]",
                    message: "'\(text)' is not an IPv4 address (a.b.c.d)")
            }
            return address
        }
    }

    static func decodePortShares(_ section: TOMLSection) throws(ConfigError) -> [PortShare] {
        try strings("ports", in: section).enumerated().map { (index, text) throws(ConfigError) in
            guard let share = parsePortShare(text) else {
                throw ConfigError(
                    file: section.file, key: "\(section.path(of: "ports"))[\(index)]",
                    message: "'\(text)' is not a port share: \"udp|tcp|icmp ADDRESS FIRST-LAST\" (or a single PORT or identifier)")
            }
            return share
        }
    }

    /// "udp 10.77.0.10 5000-5099", "tcp 10.77.0.10 80", or "icmp 10.77.0.10 100-199" (echo
    /// identifiers on a shared address).
    static func parsePortShare(_ text: String) -> PortShare? {
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count == 3, let address = IPv4Address(String(words[1])) else { return nil }
        let proto: TransportProtocol
        switch words[0] {
        case "udp": proto = .udp
        case "tcp": proto = .tcp
        case "icmp": proto = .icmp
        default: return nil
        }
        let bounds = words[2].split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(bounds.count), let first = UInt16(bounds[0]),
            let last = bounds.count == 2 ? UInt16(bounds[1]) : first, first <= last
        else { return nil }
        return PortShare(proto, address, ports: first...last)
    }

    /// "a.b.c.d/n" with n in 0...32.
    static func parseAddressWithPrefix(_ text: String) -> (IPv4Address, UInt8)? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(String(parts[0])),
            parts[1].utf8.allSatisfy({ (0x30...0x39).contains($0) }), let prefix = UInt8(parts[1]), prefix <= 32
        else { return nil }
        return (address, prefix)
    }

    private static func strings(_ key: String, in section: TOMLSection) throws(ConfigError) -> [String] {
        guard let value = section.table[key] else { return [] }
        guard let array = value.array else {
            throw section.error(key, "expected an array of strings, got \(TOMLSection.noun(value.kind))")
        }
        var result: [String] = []
        for index in 0..<array.count {
            guard let text = array[index].string else {
                throw ConfigError(
                    file: section.file, key: "\(section.path(of: key))[\(index)]",
                    message: "expected a string, got \(TOMLSection.noun(array[index].kind))")
            }
            result.append(text)
        }
        return result
    }
}
