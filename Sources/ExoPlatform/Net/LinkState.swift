// What the kernel says about one link: flags, MTU, hardware address, IPv6 address
// generation mode and counters — the numbers `exoctl nic` shows.
import CNetlink
import Glibc

/// A snapshot of one link, read with RTM_GETLINK (`LinkConfigurator.state(ifindex:)`).
public struct LinkState: Sendable, Equatable {
    /// The interface index.
    public let ifindex: Int32
    /// The interface name.
    public let name: String
    /// IFF_UP: administratively up (`ip link set NAME up`).
    public let isUp: Bool
    /// IFF_RUNNING: operationally up (for a TAP: up and its descriptor attached).
    public let isRunning: Bool
    /// The MTU in bytes (the IP payload of one frame, without the Ethernet header).
    public let mtu: UInt32
    /// The hardware (MAC) address, 6 bytes for a TAP; empty if the kernel reported none.
    public let hardwareAddress: [UInt8]
    /// The inet6 address-generation mode, nil when the kernel reported no IPv6 settings
    /// (IPv6 disabled on the host).
    public let inet6AddressGeneration: Inet6AddressGeneration?
    /// The kernel's counters for this link.
    public let counters: LinkCounters

    init(link: borrowing LinkObject) {
        let pointer = link.pointer
        let flags = rtnl_link_get_flags(pointer)
        ifindex = rtnl_link_get_ifindex(pointer)
        name = rtnl_link_get_name(pointer).map { String(cString: $0) } ?? ""
        isUp = flags & UInt32(IFF_UP) != 0
        isRunning = flags & UInt32(IFF_RUNNING) != 0
        mtu = rtnl_link_get_mtu(pointer)
        hardwareAddress = rtnl_link_get_addr(pointer).map { address in
            let bytes = UnsafeRawBufferPointer(start: nl_addr_get_binary_addr(address), count: Int(nl_addr_get_len(address)))
            return Array(bytes)
        } ?? []
        var mode: UInt8 = 0
        inet6AddressGeneration =
            rtnl_link_inet6_get_addr_gen_mode(pointer, &mode) == 0 ? Inet6AddressGeneration(rawValue: mode) : nil
        counters = LinkCounters(link: link)
    }
}

/// How the kernel derives IPv6 addresses for a link (IFLA_INET6_ADDR_GEN_MODE).
public enum Inet6AddressGeneration: UInt8, Sendable, Equatable {
    /// IN6_ADDR_GEN_MODE_EUI64: a link-local address from the MAC (the default).
    case eui64 = 0
    /// IN6_ADDR_GEN_MODE_NONE: no automatic addresses, hence no DAD, ND or MLD traffic.
    case none = 1
    /// IN6_ADDR_GEN_MODE_STABLE_PRIVACY (RFC 7217).
    case stablePrivacy = 2
    /// IN6_ADDR_GEN_MODE_RANDOM.
    case random = 3
}

/// A link's traffic counters as the kernel keeps them. "rx" is what the kernel received on
/// the link — for a TAP, the frames written to its descriptor; "tx" is what the kernel
/// sent — for a TAP, the frames queued for reading from it.
public struct LinkCounters: Sendable, Equatable {
    public var rxPackets: UInt64
    public var txPackets: UInt64
    public var rxBytes: UInt64
    public var txBytes: UInt64
    public var rxErrors: UInt64
    public var txErrors: UInt64
    /// Frames the kernel dropped on receive (e.g. no protocol handler, queue full).
    public var rxDropped: UInt64
    /// Frames the kernel dropped on transmit (for a TAP: its read queue was full).
    public var txDropped: UInt64

    public init(
        rxPackets: UInt64 = 0, txPackets: UInt64 = 0, rxBytes: UInt64 = 0, txBytes: UInt64 = 0,
        rxErrors: UInt64 = 0, txErrors: UInt64 = 0, rxDropped: UInt64 = 0, txDropped: UInt64 = 0
    ) {
        self.rxPackets = rxPackets
        self.txPackets = txPackets
        self.rxBytes = rxBytes
        self.txBytes = txBytes
        self.rxErrors = rxErrors
        self.txErrors = txErrors
        self.rxDropped = rxDropped
        self.txDropped = txDropped
    }

    init(link: borrowing LinkObject) {
        let pointer = link.pointer
        self.init(
            rxPackets: rtnl_link_get_stat(pointer, RTNL_LINK_RX_PACKETS),
            txPackets: rtnl_link_get_stat(pointer, RTNL_LINK_TX_PACKETS),
            rxBytes: rtnl_link_get_stat(pointer, RTNL_LINK_RX_BYTES),
            txBytes: rtnl_link_get_stat(pointer, RTNL_LINK_TX_BYTES),
            rxErrors: rtnl_link_get_stat(pointer, RTNL_LINK_RX_ERRORS),
            txErrors: rtnl_link_get_stat(pointer, RTNL_LINK_TX_ERRORS),
            rxDropped: rtnl_link_get_stat(pointer, RTNL_LINK_RX_DROPPED),
            txDropped: rtnl_link_get_stat(pointer, RTNL_LINK_TX_DROPPED))
    }
}
