// The [nic] section and each tenant's network grants as plain values, and the address plan
// they describe (the MACs the daemon generates for owned addresses are fixed here).

import ExoCore
import ExoWire
import ExoPacket

/// The NIC the daemon multiplexes (`[nic]`); absent: no data path.
public struct NicConfig: Sendable, Equatable {
    /// A TAP device the daemon creates (and which disappears with it).
    public static let tapBackend = "tap"
    /// An existing interface, reached through AF_PACKET (TPACKET_V2 ring, sendmmsg).
    public static let packetBackend = "packet"
    /// Every backend `nic.backend` may name.
    public static let backends = [tapBackend, packetBackend]
    /// Linux interface names hold at most 15 bytes (IFNAMSIZ - 1).
    public static let maximumNameBytes = 15

    /// `nic.backend`: "tap" or "packet".
    public var backend: String
    /// `nic.name`: the interface name; see `withTapOverride(from:)`.
    public var name: String
    /// `nic.mtu`: the link MTU (IPv4 packet size, Ethernet header not counted). The TAP
    /// backend sets it; the packet backend uses the existing link's own MTU instead.
    public var mtu: UInt32
    /// `nic.host_address`: the host side of the link, which is the tenants' gateway.
    public var hostAddress: IPv4Address
    /// The prefix length written after `host_address`'s slash.
    public var prefixLength: UInt8
    /// `nic.gateway_mac`: the MAC tenants send off-subnet traffic to (packet backend only;
    /// the TAP backend's gateway is its own host side). Nil: tenants are told 00:00:00:00:00:00
    /// and resolve the gateway by ARP themselves.
    public var gatewayMAC: MACAddress?
    /// `nic.busy_poll`: the daemon's loop polls the NIC and the tenants' tx rings without
    /// sleeping (latency for a core); false: it sleeps in epoll until something is ready.
    public var busyPoll: Bool
    /// `nic.on_link_loss`: what the daemon does when its link is deleted under it.
    public var onLinkLoss: LinkLossPolicy = .keepServing

    public init(backend: String = NicConfig.tapBackend, name: String = "exo0", mtu: UInt32 = 1500,
        hostAddress: IPv4Address, prefixLength: UInt8, gatewayMAC: MACAddress? = nil, busyPoll: Bool = false) {
        self.gatewayMAC = gatewayMAC
        self.busyPoll = busyPoll
        self.backend = backend
        self.name = name
        self.mtu = mtu
        self.hostAddress = hostAddress
        self.prefixLength = prefixLength
    }

    /// Whether this NIC is an existing interface reached through AF_PACKET.
    public var isPacketBackend: Bool { backend == Self.packetBackend }

    /// The subnet mask of `prefixLength` (0 for /0).
    public var netmask: UInt32 { prefixLength == 0 ? 0 : UInt32.max << (32 - UInt32(min(prefixLength, 32))) }

    /// Whether `address` lies in the host address's subnet.
    public func contains(_ address: IPv4Address) -> Bool {
        address.rawValue & netmask == hostAddress.rawValue & netmask
    }
}

extension DaemonConfig {
    /// Name of the environment variable that overrides `nic.name`.
    public static let tapEnvironmentVariable = "EXOKERNEL_TAP"

    /// The MAC of the daemon's own frames and of every address shared by port: locally
    /// administered, and never one `macForOwnedAddress` returns (those embed a unicast
    /// address, never 0.0.0.1).
    public static let daemonMAC = MACAddress(0x02, 0x00, 0x00, 0x00, 0x00, 0x01)

    /// The generated MAC of an address a tenant owns whole: 02:00 then the address's bytes,
    /// so distinct addresses have distinct MACs.
    public static func macForOwnedAddress(_ address: IPv4Address) -> MACAddress {
        MACAddress(rawValue: 0x0200_0000_0000 | UInt64(address.rawValue))
    }

    /// This configuration with `nic.name` replaced by `EXOKERNEL_TAP` when that is set and not
    /// empty (and a [nic] is configured). Apply it before `ConfigValidator.check`.
    public func withTapOverride(from environment: [String: String]) -> DaemonConfig {
        guard var nic, let name = environment[Self.tapEnvironmentVariable], !name.isEmpty else { return self }
        nic.name = name
        var copy = self
        copy.nic = nic
        return copy
    }

    /// The network grants of every tenant (tenant id = index), with generated MACs.
    public var networkGrants: [NetworkGrant] {
        tenants.enumerated().map { index, tenant in
            NetworkGrant(
                tenant: TenantID(index),
                addresses: tenant.addresses.map { WholeAddress($0, mac: Self.macForOwnedAddress($0)) },
                shares: tenant.ports)
        }
    }

    /// The validated address plan; call only on a configuration `ConfigValidator` accepted.
    public func addressPlan() throws(AddressPlanError) -> AddressPlan {
        try AddressPlan(daemonMAC: Self.daemonMAC, grants: networkGrants)
    }
}

/// What the daemon does when its NIC's link is deleted under it (`nic.on_link_loss`).
public enum LinkLossPolicy: String, Sendable, Equatable, CaseIterable {
    /// Keeps serving the control socket with the data path down (tenants stay attached and
    /// keep their frames; `exoctl nic` shows the link gone); a restart takes a new link.
    case keepServing = "keep-serving"
    /// Ends every session and exits with status 1, so that `Restart=on-failure` restarts it
    /// (and, while the link is missing, keeps failing at start-up until it is back).
    case exit
    /// Keeps every session and reopens the link in place: a TAP (the daemon's own device) is
    /// created again at once with the same name and MAC; an existing interface (packet
    /// backend) is reopened when a link of the same name appears (RTM_NEWLINK).
    case reattach

    /// The policy `text` names (`nic.on_link_loss` in `section`); an error listing the
    /// choices otherwise.
    static func parse(_ text: String, in section: TOMLSection) throws(ConfigError) -> LinkLossPolicy {
        guard let policy = LinkLossPolicy(rawValue: text) else {
            let choices = allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or ")
            throw section.error("on_link_loss", "'\(text)' is not a policy: \(choices)")
        }
        return policy
    }
}
