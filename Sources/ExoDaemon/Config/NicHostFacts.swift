// What the host says about the existing interface a packet backend would use: does it
// exist, its MTU, its IPv4 addresses (libnl rtnl_addr) and whether it forwards IPv4.

import ExoPlatform
import ExoWire
import ExoPacket

/// Facts about one interface, read once so `ConfigValidator` can stay pure.
public struct NicHostFacts: Sendable, Equatable {
    /// The interface exists in the daemon's network namespace.
    public var exists: Bool
    /// Its MTU (0 when it does not exist).
    public var mtu: UInt32
    /// The IPv4 addresses the host kernel holds on it.
    public var hostAddresses: [IPv4Address]
    /// `/proc/sys/net/ipv4/conf/<if>/forwarding` is 1; nil when it could not be read.
    public var forwarding: Bool?

    public init(exists: Bool, mtu: UInt32, hostAddresses: [IPv4Address] = [], forwarding: Bool? = false) {
        self.exists = exists
        self.mtu = mtu
        self.hostAddresses = hostAddresses
        self.forwarding = forwarding
    }

    /// Reads the facts of interface `name` through rtnetlink and /proc. A name that is not an
    /// interface (or a netlink failure) reads as not existing, and the validator says so.
    public static func read(interface name: String) -> NicHostFacts {
        guard let configurator = try? LinkConfigurator(), let ifindex = try? configurator.ifindex(named: name),
            let state = try? configurator.state(ifindex: ifindex)
        else { return NicHostFacts(exists: false, mtu: 0, forwarding: nil) }
        let addresses = ((try? configurator.addresses(ifindex: ifindex)) ?? []).compactMap { address in
            address.ipv4.map { IPv4Address(rawValue: $0.address) }
        }
        let forwarding: Bool?
        if name.utf8.allSatisfy({ $0 != UInt8(ascii: "/") }),
            let text = try? ConfigFileReader.readText(path: "/proc/sys/net/ipv4/conf/\(name)/forwarding", limit: 16)
        {
            forwarding = text.hasPrefix("1")
        } else {
            forwarding = nil
        }
        return NicHostFacts(exists: true, mtu: state.mtu, hostAddresses: addresses, forwarding: forwarding)
    }
}
