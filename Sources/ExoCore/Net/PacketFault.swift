// The closed list of reasons a frame fails the strict checks that the egress guard and the
// demultiplexer share. Raw values index counters; names are stable for exoctl.
import ExoPacket

/// Why a frame is not well formed under this project's strict rules (either direction).
public enum PacketFault: UInt8, Error, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Shorter than an Ethernet header.
    case truncatedEthernet = 0
    /// An 802.3 length instead of a type (spanning tree and other LLC frames).
    case notEthernetII
    /// An 802.1Q / 802.1ad VLAN tag.
    case vlanTagged
    /// MAC control (pause) frame.
    case pauseFrame
    /// An EtherType other than IPv4 or ARP.
    case unsupportedEtherType
    /// The source MAC is multicast or broadcast.
    case multicastSource
    /// ARP too short, too long, or not Ethernet/IPv4.
    case malformedARP
    /// ARP operation other than request or reply.
    case unsupportedARPOperation
    /// IPv4 header shorter than 20 bytes, or total length past the frame.
    case truncatedIPv4
    /// Version not 4, IHL below 5 or past the total length, or the reserved flag set.
    case malformedIPv4
    /// Bytes after the datagram other than the minimum-frame padding.
    case ipLengthMismatch
    /// IPv4 options that do not walk cleanly (`IPv4Option.walk`): bad lengths, pointers,
    /// padding, or two source routes. Well-formed options are policy's business.
    case malformedIPOptions
    /// The IPv4 header checksum does not verify.
    case badIPChecksum
    /// UDP shorter than its header, length field not the datagram's payload, or port 0.
    case malformedUDP
    /// TCP shorter than its header, bad data offset, or port 0.
    case malformedTCP
    /// ICMP shorter than its header, or an echo with a nonzero code.
    case malformedICMP
    /// The ICMP checksum does not verify.
    case badICMPChecksum
    /// An ICMP type other than echo request/reply, destination unreachable, time exceeded
    /// and parameter problem.
    case unsupportedICMPType
    /// An ICMP error whose quoted header is not IPv4 header + 8 bytes.
    case malformedICMPQuote

    /// Stable name for scripts and `exoctl --json`.
    public var name: String {
        switch self {
        case .truncatedEthernet: "truncatedEthernet"
        case .notEthernetII: "notEthernetII"
        case .vlanTagged: "vlanTagged"
        case .pauseFrame: "pauseFrame"
        case .unsupportedEtherType: "unsupportedEtherType"
        case .multicastSource: "multicastSource"
        case .malformedARP: "malformedARP"
        case .unsupportedARPOperation: "unsupportedARPOperation"
        case .truncatedIPv4: "truncatedIPv4"
        case .malformedIPv4: "malformedIPv4"
        case .ipLengthMismatch: "ipLengthMismatch"
        case .malformedIPOptions: "malformedIPOptions"
        case .badIPChecksum: "badIPChecksum"
        case .malformedUDP: "malformedUDP"
        case .malformedTCP: "malformedTCP"
        case .malformedICMP: "malformedICMP"
        case .badICMPChecksum: "badICMPChecksum"
        case .unsupportedICMPType: "unsupportedICMPType"
        case .malformedICMPQuote: "malformedICMPQuote"
        }
    }

    public var description: String { name }
}
