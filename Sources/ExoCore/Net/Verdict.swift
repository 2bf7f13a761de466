// The egress guard's decision for one frame a tenant sends, and the closed list of reasons
// it refuses one. A deny reason's `counterIndex` is its slot in a flat array of counters.

/// The egress guard's decision.
public enum Verdict: Hashable, Sendable {
    case allow
    case deny(DenyReason)
}

/// Why the egress guard refused a frame.
public enum DenyReason: Hashable, Sendable, CustomStringConvertible {
    /// The frame breaks a strict rule shared with the demultiplexer.
    case invalid(PacketFault)
    /// The IPv4 source (or ARP sender) address is not the tenant's: someone else's, or in
    /// no grant at all.
    case sourceAddressNotOwned
    /// The Ethernet source (or ARP sender hardware address) is not the MAC of the source address.
    case sourceMACMismatch
    /// From a shared address, a source port outside the tenant's share.
    case sourcePortNotGranted
    /// A fragment from a shared address (only whole owners may fragment).
    case fragmentFromSharedAddress
    /// An echo reply from a shared address (the daemon answers echo requests to it).
    case echoFromSharedAddress
    /// A protocol without ports from a shared address.
    case portlessProtocolFromSharedAddress
    /// ARP for an address the tenant does not own whole (shared addresses' ARP is the daemon's).
    case arpSenderNotOwned
    /// An ICMP error that does not quote a datagram sent to this tenant's endpoint by the
    /// host the error goes to.
    case icmpErrorAboutOthers
    /// An IPv4 loose or strict source route option.
    case sourceRoute
    /// Any other IPv4 option (tenants send none; see DESIGN-NOTES.md).
    case ipOptions
    /// An echo request from a shared address with an identifier outside the tenant's icmp share.
    case echoIdentifierNotGranted
    /// Longer than the link's MTU plus the 14-byte Ethernet header: no host on the link could
    /// take it, and the TAP device would pass it on regardless.
    case tooLongForLink

    static let policy: [DenyReason] = [
        .sourceAddressNotOwned, .sourceMACMismatch, .sourcePortNotGranted, .fragmentFromSharedAddress,
        .echoFromSharedAddress, .portlessProtocolFromSharedAddress, .arpSenderNotOwned, .icmpErrorAboutOthers, .sourceRoute, .ipOptions,
        .echoIdentifierNotGranted, .tooLongForLink,
    ]

    /// Every reason, in counter order.
    public static let allCases: [DenyReason] = PacketFault.allCases.map { .invalid($0) } + policy

    /// This reason's slot in an array of `allCases.count` counters.
    public var counterIndex: Int {
        let base = PacketFault.allCases.count
        switch self {
        case .invalid(let fault): return Int(fault.rawValue)
        case .sourceAddressNotOwned: return base
        case .sourceMACMismatch: return base + 1
        case .sourcePortNotGranted: return base + 2
        case .fragmentFromSharedAddress: return base + 3
        case .echoFromSharedAddress: return base + 4
        case .portlessProtocolFromSharedAddress: return base + 5
        case .arpSenderNotOwned: return base + 6
        case .icmpErrorAboutOthers: return base + 7
        case .sourceRoute: return base + 8
        case .ipOptions: return base + 9
        case .echoIdentifierNotGranted: return base + 10
        case .tooLongForLink: return base + 11
        }
    }

    /// Stable name for scripts and `exoctl --json`.
    public var name: String {
        switch self {
        case .invalid(let fault): fault.name
        case .sourceAddressNotOwned: "sourceAddressNotOwned"
        case .sourceMACMismatch: "sourceMACMismatch"
        case .sourcePortNotGranted: "sourcePortNotGranted"
        case .fragmentFromSharedAddress: "fragmentFromSharedAddress"
        case .echoFromSharedAddress: "echoFromSharedAddress"
        case .portlessProtocolFromSharedAddress: "portlessProtocolFromSharedAddress"
        case .arpSenderNotOwned: "arpSenderNotOwned"
        case .icmpErrorAboutOthers: "icmpErrorAboutOthers"
        case .sourceRoute: "sourceRoute"
        case .ipOptions: "ipOptions"
        case .echoIdentifierNotGranted: "echoIdentifierNotGranted"
        case .tooLongForLink: "tooLongForLink"
        }
    }

    public var description: String { name }
}
