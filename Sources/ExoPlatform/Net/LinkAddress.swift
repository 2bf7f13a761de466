// Interface addresses as netlink carries them: the IPv4 address-and-prefix a host side is
// given, and the read-back form of any address the kernel lists on a link.
import CNetlink
import Glibc

/// An IPv4 address with its prefix length, as assigned to an interface ("10.213.1.1/30").
public struct IPv4InterfaceAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address as a number: a.b.c.d is `a << 24 | b << 16 | c << 8 | d`.
    public let address: UInt32
    /// The prefix length, 0...32.
    public let prefixLength: UInt8

    /// nil when `prefixLength` is over 32.
    public init?(address: UInt32, prefixLength: UInt8) {
        guard prefixLength <= 32 else { return nil }
        self.address = address
        self.prefixLength = prefixLength
    }

    /// Parses "a.b.c.d/n" (a dotted quad as inet_pton accepts it, n decimal digits in 0...32);
    /// nil otherwise.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[1].isEmpty, parts[1].utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            let length = UInt8(parts[1])
        else { return nil }
        var raw = in_addr()
        guard inet_pton(AF_INET, String(parts[0]), &raw) == 1 else { return nil }
        self.init(address: UInt32(bigEndian: raw.s_addr), prefixLength: length)
    }

    /// The four bytes in network order.
    public var octets: [UInt8] {
        [UInt8(truncatingIfNeeded: address >> 24), UInt8(truncatingIfNeeded: address >> 16),
         UInt8(truncatingIfNeeded: address >> 8), UInt8(truncatingIfNeeded: address)]
    }

    /// "a.b.c.d/n".
    public var description: String { octets.map(String.init).joined(separator: ".") + "/\(prefixLength)" }
}

/// An address the kernel lists on a link (RTM_GETADDR), IPv4 or IPv6.
public struct LinkAddress: Sendable, Hashable {
    public enum Family: Sendable, Hashable {
        case ipv4
        case ipv6
    }

    public let family: Family
    /// The local address in network order: 4 bytes (IPv4) or 16 (IPv6).
    public let bytes: [UInt8]
    public let prefixLength: UInt8

    public init(family: Family, bytes: [UInt8], prefixLength: UInt8) {
        self.family = family
        self.bytes = bytes
        self.prefixLength = prefixLength
    }

    /// The IPv4 form, nil for an IPv6 address.
    public var ipv4: IPv4InterfaceAddress? {
        guard family == .ipv4, bytes.count == 4 else { return nil }
        let value = bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return IPv4InterfaceAddress(address: value, prefixLength: prefixLength)
    }

    /// An IPv6 link-local address (fe80::/10), the kind address generation creates.
    public var isIPv6LinkLocal: Bool {
        family == .ipv6 && bytes.count == 16 && bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80
    }

    /// Reads an `rtnl_addr` (borrowed for the call); nil for other families or no local address.
    init?(rtnlAddress object: OpaquePointer) {
        let family: Family
        switch rtnl_addr_get_family(object) {
        case AF_INET: family = .ipv4
        case AF_INET6: family = .ipv6
        default: return nil
        }
        guard let local = rtnl_addr_get_local(object) else { return nil }
        let bytes = UnsafeRawBufferPointer(start: nl_addr_get_binary_addr(local), count: Int(nl_addr_get_len(local)))
        self.init(family: family, bytes: Array(bytes), prefixLength: UInt8(clamping: rtnl_addr_get_prefixlen(object)))
    }
}
