// EtherType and IP protocol numbers: open sets of 16- and 8-bit values, with the ones this
// project names (everything else is carried, and refused, by number).

/// The 16-bit type field of an Ethernet II header. Values below 0x0600 are not types at
/// all but IEEE 802.3 lengths (spanning tree and other LLC frames).
@frozen public struct EtherType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let ipv4 = EtherType(rawValue: 0x0800)
    public static let arp = EtherType(rawValue: 0x0806)
    public static let ipv6 = EtherType(rawValue: 0x86DD)
    /// IEEE 802.1Q customer VLAN tag.
    public static let vlan = EtherType(rawValue: 0x8100)
    /// IEEE 802.1ad service VLAN tag (QinQ).
    public static let serviceVLAN = EtherType(rawValue: 0x88A8)
    /// The pre-standard QinQ tag some switches still send.
    public static let legacyQinQ = EtherType(rawValue: 0x9100)
    /// MAC control (IEEE 802.3x pause frames).
    public static let macControl = EtherType(rawValue: 0x8808)

    /// True for a type (Ethernet II), false for an 802.3 length.
    @inlinable public var isEthernetII: Bool { rawValue >= 0x0600 }
    /// True for every VLAN tag protocol identifier this project recognises.
    @inlinable public var isVLANTag: Bool { rawValue == 0x8100 || rawValue == 0x88A8 || rawValue == 0x9100 }

    public var description: String { "0x" + String(rawValue, radix: 16) }
}

/// The 8-bit protocol field of an IPv4 header.
@frozen public struct IPProtocol: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let icmp = IPProtocol(rawValue: 1)
    public static let tcp = IPProtocol(rawValue: 6)
    public static let udp = IPProtocol(rawValue: 17)

    public var description: String {
        switch self {
        case .icmp: "icmp"
        case .tcp: "tcp"
        case .udp: "udp"
        default: "proto-\(rawValue)"
        }
    }
}
