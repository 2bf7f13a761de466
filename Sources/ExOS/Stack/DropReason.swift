// Every reason the stack refuses a packet, and the counters it keeps: each drop is counted
// under exactly one reason, so hostile-input tests can see which checks fired.

/// Why the stack dropped a received frame or a frame it would have sent.
public enum DropReason: Int, CaseIterable, Sendable, CustomStringConvertible {
    // Ethernet
    case ethernetTruncated, ethernetVLANTagged, ethernetNotForUs, ethernetBadSource, ethernetUnknownType
    case frameTooLong
    // ARP
    case arpMalformed, arpBadSender, arpAddressConflict, arpNotForUs, arpForSharedAddress
    // IPv4
    case ipv4Malformed, ipv4BadChecksum, ipv4Fragment, ipv4NotForUs, ipv4BadSource, ipv4UnknownProtocol
    // ICMP
    case icmpMalformed, icmpBadChecksum, icmpEchoForSharedAddress, icmpUnhandledType, icmpErrorUnmatched
    case icmpNoPinger, icmpErrorRateLimited
    // UDP
    case udpMalformed, udpBadChecksum, udpNoSocket, udpNotFromPeer, udpReceiveQueueFull
    // TCP
    case tcpMalformed, tcpBadChecksum, tcpNoConnection, tcpOutOfWindow, tcpBeyondWindow, tcpPAWSRejected
    case tcpBadAck, tcpBadReset, tcpUnexpectedSegment, tcpOutOfOrderFull, tcpAcceptQueueFull, tcpTableFull
    case tcpBadCookie
    // Transmit side
    case controlQueueFull, neighborCacheFull, neighborPendingFull, neighborUnresolved, pingerQueueFull
    case transmitBufferTooSmall

    public var description: String { String(describing: Self.self) + "." + name }

    /// The counter's name, as `exoctl`-style statistics show it.
    public var name: String {
        switch self {
        case .ethernetTruncated: "ethernet.truncated"
        case .ethernetVLANTagged: "ethernet.vlanTagged"
        case .ethernetNotForUs: "ethernet.notForUs"
        case .ethernetBadSource: "ethernet.badSource"
        case .ethernetUnknownType: "ethernet.unknownType"
        case .frameTooLong: "frame.tooLong"
        case .arpMalformed: "arp.malformed"
        case .arpBadSender: "arp.badSender"
        case .arpAddressConflict: "arp.addressConflict"
        case .arpNotForUs: "arp.notForUs"
        case .arpForSharedAddress: "arp.forSharedAddress"
        case .ipv4Malformed: "ipv4.malformed"
        case .ipv4BadChecksum: "ipv4.badChecksum"
        case .ipv4Fragment: "ipv4.fragment"
        case .ipv4NotForUs: "ipv4.notForUs"
        case .ipv4BadSource: "ipv4.badSource"
        case .ipv4UnknownProtocol: "ipv4.unknownProtocol"
        case .icmpMalformed: "icmp.malformed"
        case .icmpBadChecksum: "icmp.badChecksum"
        case .icmpEchoForSharedAddress: "icmp.echoForSharedAddress"
        case .icmpUnhandledType: "icmp.unhandledType"
        case .icmpErrorUnmatched: "icmp.errorUnmatched"
        case .icmpNoPinger: "icmp.noPinger"
        case .icmpErrorRateLimited: "icmp.errorRateLimited"
        case .udpMalformed: "udp.malformed"
        case .udpBadChecksum: "udp.badChecksum"
        case .udpNoSocket: "udp.noSocket"
        case .udpNotFromPeer: "udp.notFromPeer"
        case .udpReceiveQueueFull: "udp.receiveQueueFull"
        case .tcpMalformed: "tcp.malformed"
        case .tcpBadChecksum: "tcp.badChecksum"
        case .tcpNoConnection: "tcp.noConnection"
        case .tcpOutOfWindow: "tcp.outOfWindow"
        case .tcpBeyondWindow: "tcp.beyondWindow"
        case .tcpPAWSRejected: "tcp.pawsRejected"
        case .tcpBadAck: "tcp.badAck"
        case .tcpBadReset: "tcp.badReset"
        case .tcpUnexpectedSegment: "tcp.unexpectedSegment"
        case .tcpOutOfOrderFull: "tcp.outOfOrderFull"
        case .tcpAcceptQueueFull: "tcp.acceptQueueFull"
        case .tcpTableFull: "tcp.tableFull"
        case .tcpBadCookie: "tcp.badCookie"
        case .controlQueueFull: "tx.controlQueueFull"
        case .neighborCacheFull: "tx.neighborCacheFull"
        case .neighborPendingFull: "tx.neighborPendingFull"
        case .neighborUnresolved: "tx.neighborUnresolved"
        case .pingerQueueFull: "tx.pingerQueueFull"
        case .transmitBufferTooSmall: "tx.bufferTooSmall"
        }
    }
}

/// The stack's counters: one per drop reason, and what it did with the rest.
public struct StackCounters: Sendable, Equatable {
    /// Indexed by ``DropReason/rawValue``; allocated once.
    private var drops = [UInt64](repeating: 0, count: DropReason.allCases.count)
    public var framesReceived: UInt64 = 0
    public var framesTransmitted: UInt64 = 0
    public var arpRequestsSent: UInt64 = 0
    public var arpRepliesSent: UInt64 = 0
    public var echoRepliesSent: UInt64 = 0
    public var icmpErrorsSent: UInt64 = 0
    public var icmpErrorsReceived: UInt64 = 0
    public var udpDelivered: UInt64 = 0
    public var udpSent: UInt64 = 0
    public var echoRequestsSent: UInt64 = 0
    public var echoRepliesReceived: UInt64 = 0
    /// What TCP did (its drops are counted under the `tcp.` reasons).
    public var tcp = TCPCounters()

    public init() {}

    /// Drops counted for `reason`.
    public subscript(reason: DropReason) -> UInt64 { drops[reason.rawValue] }

    /// Every drop, whatever the reason.
    public var totalDrops: UInt64 { drops.reduce(0, &+) }

    mutating func count(_ reason: DropReason) { drops[reason.rawValue] &+= 1 }
}
