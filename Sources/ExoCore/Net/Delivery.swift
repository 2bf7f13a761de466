// Where the demultiplexer sends a received frame, and the closed list of reasons it drops
// one. A drop reason's `counterIndex` is its slot in a flat array of counters.
import ExoWire

/// The demultiplexer's decision for one received frame.
public enum Delivery: Hashable, Sendable {
    /// To this session's rx ring.
    case tenant(SessionID)
    /// An ARP request for a shared address, or a reply to one: the daemon answers it.
    case daemonARP
    /// An echo request to a shared address: the daemon answers it.
    case daemonEcho
    /// A fragment to a tenant's address: the daemon reassembles it (`Reassembler`) and
    /// classifies the whole datagram.
    case reassemble
    /// Nobody's: dropped and counted.
    case drop(DropReason)
}

/// Why a received frame reached nobody.
public enum DropReason: Hashable, Sendable, CustomStringConvertible {
    /// The frame breaks a strict rule shared with the egress guard.
    case invalid(PacketFault)
    /// The destination (or ARP target) address is in no tenant's grant.
    case notOurAddress
    /// An IPv4 frame whose destination MAC is not its destination address's MAC, or an ARP
    /// frame sent neither to broadcast nor to that MAC.
    case wrongDestinationMAC
    /// The address or endpoint is granted but no session bound it.
    case noBinding
    /// An echo request with IPv4 options to a shared address (the daemon's reply would
    /// reflect them, source routes among them).
    case echoWithOptionsOnSharedAddress
    /// An ICMP error that does not quote a flow of the address it was sent to, or quotes one
    /// that cannot be routed (not UDP/TCP or an echo request, or a non-first fragment) on a
    /// shared address.
    case unroutableICMPError
    /// An echo reply to a shared address whose identifier no session bound (the daemon
    /// sends no echo requests; tenants' replies go by bound identifier).
    case echoReplyOnSharedAddress
    /// A protocol without ports to a shared address.
    case portlessProtocolOnSharedAddress
    /// A fragment (or a datagram) the reassembler dropped.
    case reassembly(ReassemblyDrop)
    /// The binding of this session took the frame, but none of its filters matched.
    /// (`allCases` lists it with session 0; the session is not part of its counter.)
    case filteredOut(SessionID)

    /// The routing reasons, in counter order after the faults.
    static let routing: [DropReason] = [
        .notOurAddress, .wrongDestinationMAC, .noBinding, .echoWithOptionsOnSharedAddress, .unroutableICMPError,
        .echoReplyOnSharedAddress, .portlessProtocolOnSharedAddress, .filteredOut(0),
    ]

    /// Every reason, in counter order.
    public static let allCases: [DropReason] =
        PacketFault.allCases.map { .invalid($0) } + routing + ReassemblyDrop.allCases.map { .reassembly($0) }

    /// This reason's slot in an array of `allCases.count` counters.
    public var counterIndex: Int {
        switch self {
        case .invalid(let fault): Int(fault.rawValue)
        case .notOurAddress: PacketFault.allCases.count
        case .wrongDestinationMAC: PacketFault.allCases.count + 1
        case .noBinding: PacketFault.allCases.count + 2
        case .echoWithOptionsOnSharedAddress: PacketFault.allCases.count + 3
        case .unroutableICMPError: PacketFault.allCases.count + 4
        case .echoReplyOnSharedAddress: PacketFault.allCases.count + 5
        case .portlessProtocolOnSharedAddress: PacketFault.allCases.count + 6
        case .filteredOut: PacketFault.allCases.count + 7
        case .reassembly(let drop): PacketFault.allCases.count + 8 + Int(drop.rawValue)
        }
    }

    /// Stable name for scripts and `exoctl --json`.
    public var name: String {
        switch self {
        case .invalid(let fault): fault.name
        case .notOurAddress: "notOurAddress"
        case .wrongDestinationMAC: "wrongDestinationMAC"
        case .noBinding: "noBinding"
        case .echoWithOptionsOnSharedAddress: "echoWithOptionsOnSharedAddress"
        case .unroutableICMPError: "unroutableICMPError"
        case .echoReplyOnSharedAddress: "echoReplyOnSharedAddress"
        case .portlessProtocolOnSharedAddress: "portlessProtocolOnSharedAddress"
        case .filteredOut: "filteredOut"
        case .reassembly(let drop): "reassembly.\(drop.name)"
        }
    }

    public var description: String { name }
}
