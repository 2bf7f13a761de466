// Everything a stack is told when it is created: who it is on the link (addresses, MACs,
// which it owns whole), the link (subnet, gateway, MTU), what it may bind (grants), and the
// bounds of every queue and table. The data path's `DataPathInfo` converts into one.

import ExoPacket

/// An IPv4 address the stack sends from, with the MAC its frames carry.
public struct LocalAddress: Hashable, Sendable {
    /// The address.
    public var address: IPv4Address
    /// The MAC its frames carry as their source.
    public var mac: MACAddress
    /// Owned whole: the stack answers ARP and echo requests for it and may bind any port.
    /// Shared (false): the daemon answers ARP and echo; only granted ports are the stack's.
    public var owned: Bool

    /// An address the stack sends from, with its MAC, owned whole or shared.
    public init(address: IPv4Address, mac: MACAddress, owned: Bool) {
        self.address = address
        self.mac = mac
        self.owned = owned
    }
}

/// A range of ports (or, for ICMP, echo identifiers) on a shared address.
public struct EndpointGrant: Hashable, Sendable {
    /// The protocol the grant is for (UDP, TCP, or ICMP for echo identifiers).
    public var proto: IPProtocol
    /// The shared address.
    public var address: IPv4Address
    /// The ports (or echo identifiers) granted on it.
    public var ports: ClosedRange<UInt16>

    /// A grant of `ports` for `proto` on `address`.
    public init(proto: IPProtocol, address: IPv4Address, ports: ClosedRange<UInt16>) {
        self.proto = proto
        self.address = address
        self.ports = ports
    }
}

/// Bounds and timings. Every queue and table the stack has is sized here, once.
public struct StackLimits: Hashable, Sendable {
    /// UDP sockets open at once.
    public var udpSockets = 64
    /// Pingers open at once.
    public var pingers = 8
    /// Datagrams (and bytes) a socket's receive queue holds; beyond, arrivals are dropped.
    public var socketReceivePackets = 64
    /// Payload bytes a socket's receive queue holds.
    public var socketReceiveBytes = 64 * 1024
    /// Datagrams (and bytes) a socket's transmit queue holds; beyond, `send` says `queueFull`.
    public var socketTransmitPackets = 32
    /// Payload bytes a socket's transmit queue holds.
    public var socketTransmitBytes = 48 * 1024
    /// Neighbor (ARP) cache entries.
    public var neighbors = 32
    /// Frames waiting for one unresolved neighbor, and for all of them together.
    public var pendingPerNeighbor = 4
    /// Frames waiting for all unresolved neighbors together.
    public var pendingTotal = 32
    /// Ready-made frames (ARP, ICMP answers) waiting for the device.
    public var controlFrames = 32
    /// How long a learned neighbor stays valid, and how long before that a neighbor still
    /// in use is re-asked (a unicast request) so traffic does not stall at expiry.
    public var neighborLifetime = Interval.seconds(60)
    /// How long before a neighbor in use expires that it is re-asked.
    public var neighborRefreshBefore = Interval.seconds(10)
    /// First ARP retry after this; each later one waits twice as long.
    public var arpRetryInterval = Interval.seconds(1)
    /// Requests sent for one address before its pending frames are dropped.
    public var arpAttempts = 4
    /// Gratuitous ARPs on attach for each owned address, and the time between them (RFC 5227).
    public var announcements = 2
    /// The time between gratuitous ARPs on attach.
    public var announceInterval = Interval.seconds(2)
    /// ICMP errors the stack may send in a burst, and the time to earn one more (RFC 1122 §4.3.2.8).
    public var icmpErrorBurst = 8
    /// The time to earn one more ICMP error once the burst is spent.
    public var icmpErrorInterval = Interval.milliseconds(100)
    /// Sequence numbers whose send time a pinger remembers (to report round trips).
    public var pingerSendTimes = 64
    /// TCP connections (in any state, TIME_WAIT included) and listeners open at once.
    public var tcpConnections = 512
    public var tcpListeners = 16
    /// Half-open connections a listener keeps; past it, SYN cookies answer without state.
    public var tcpSynBacklog = 128
    /// Separate out-of-order ranges a connection keeps past a hole; beyond, segments are dropped.
    public var tcpOutOfOrderRanges = 16
    /// SACKed ranges a sender remembers.
    public var tcpSACKRanges = 32
    /// How long an owed ACK may wait for a second segment or outgoing data (RFC 1122: < 0.5 s).
    public var tcpDelayedAck = Interval.milliseconds(40)
    /// Least time between two challenge ACKs on one connection (RFC 5961 §7; Linux's
    /// per-socket `tcp_invalid_ratelimit`). Per connection, never shared, so the count of
    /// challenges sent reveals nothing about other connections (CVE-2016-5696).
    public var tcpChallengeAckInterval = Interval.milliseconds(500)
    /// How long a connection the application has closed may wait in FIN_WAIT_2 for the
    /// peer's FIN before it is dropped (Linux's `tcp_fin_timeout`): a peer that never closes
    /// must not hold a slot for ever.
    public var tcpOrphanFinWait2 = Interval.seconds(60)
    /// Window probes a connection the application has closed sends to a peer whose window
    /// stays shut before it is dropped (Linux's `tcp_orphan_retries`, 8 when 0): a peer that
    /// never reads must not hold a slot and its buffers for ever. A connection the
    /// application still holds probes as long as it is held.
    public var tcpOrphanProbes = 8
    /// TIME_WAIT's length, 2·MSL (RFC 9293 §3.4.2).
    public var tcpTimeWait = Interval.seconds(60)
    /// Retransmission timeout bounds (RFC 6298: initial 1 s; Linux's minimum 200 ms).
    public var tcpInitialTimeout = Interval.seconds(1)
    public var tcpMinimumTimeout = Interval.milliseconds(200)
    /// Timeouts in a row before the SYN, or an established connection, gives up.
    public var tcpSynRetries = 6
    public var tcpRetries = 15

    /// The defaults above.
    public init() {}
}

/// What a stack is: its identity on the link, the link, its grants and its limits.
public struct StackConfiguration: Hashable, Sendable {
    /// At least one. The first is the default source address.
    public var addresses: [LocalAddress]
    /// Prefix length of the link's subnet.
    public var prefixLength: UInt8
    /// The router for destinations off the subnet; nil for none (off-subnet is unreachable).
    public var gateway: IPv4Address?
    /// The gateway's MAC, when known in advance (the daemon tells it): a permanent neighbor.
    public var gatewayMAC: MACAddress?
    /// Largest IPv4 datagram the link carries (the Ethernet header not counted).
    public var mtu: Int
    /// Ports and echo identifiers on shared addresses (owned addresses grant everything).
    public var grants: [EndpointGrant]
    /// Bounds of every queue and table, and the timings of ARP and ICMP.
    public var limits: StackLimits
    /// Secret for the stack's hash tables (so a peer cannot aim collisions at them) and the
    /// seed of its other choices (IP identification, ephemeral ports). A driver draws it at
    /// random; a simulation fixes it.
    public var secret: UInt64
    /// Key of TCP's initial sequence numbers and timestamp offsets (RFC 6528, RFC 7323
    /// §7.1); nil: `secret`. Unlike `secret`, worth keeping across restarts: with the same
    /// key, a new process's SYN to a four-tuple an earlier one used carries a higher ISN and
    /// timestamp (both run on the boot's monotonic clock), which a peer holding that
    /// four-tuple in TIME_WAIT accepts as a new incarnation (Linux does) instead of ignoring
    /// it until the SYN is retransmitted a second later. See docs/EXOS.md, "Initial sequence
    /// numbers".
    public var sequenceSecret: UInt64?

    /// A configuration with this identity, link, grants and limits.
    public init(
        addresses: [LocalAddress], prefixLength: UInt8, gateway: IPv4Address? = nil, gatewayMAC: MACAddress? = nil,
        mtu: Int = 1500, grants: [EndpointGrant] = [], limits: StackLimits = StackLimits(), secret: UInt64 = 0,
        sequenceSecret: UInt64? = nil
    ) {
        self.addresses = addresses
        self.prefixLength = prefixLength
        self.gateway = gateway
        self.gatewayMAC = gatewayMAC
        self.mtu = mtu
        self.grants = grants
        self.limits = limits
        self.secret = secret
        self.sequenceSecret = sequenceSecret
    }

    /// Bytes of the largest frame the stack sends or accepts: the MTU plus the Ethernet header.
    public var maximumFrameLength: Int { mtu + EthernetPacket.headerLength }

    /// Largest UDP payload a socket sends: the MTU less the IPv4 and UDP headers.
    var maximumUDPPayload: Int { mtu - IPv4Packet.minimumHeaderLength - UDPDatagram.headerLength }

    /// Largest echo data a pinger sends: the MTU less the IPv4 and ICMP headers.
    var maximumEchoData: Int { mtu - IPv4Packet.minimumHeaderLength - ICMPv4Message.headerLength }
}
