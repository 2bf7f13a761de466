// Link configuration over rtnetlink through libnl-route-3: IPv6 address generation, MTU,
// host-side IPv4 address, up and down, and the read-back `exoctl nic` needs.
import CNetlink
import Glibc

/// Configures and inspects links by ifindex over one NETLINK_ROUTE socket (owned, closed
/// on deinit). Every failure is a `NetlinkError` carrying libnl's text. Control plane only
/// (each call allocates and does a netlink round trip); not `Sendable`: use it from one
/// thread at a time.
///
/// Why the order in `configure(ifindex:mtu:hostAddress:)` matters: a link that comes up
/// with IPv6 enabled immediately generates a link-local address and starts Duplicate
/// Address Detection, Router Solicitation and MLD reports — frames the daemon would then
/// have to read, classify and drop, sent to every tenant's broadcast domain. Setting the
/// inet6 address-generation mode to "none" (IN6_ADDR_GEN_MODE_NONE) prevents all of it,
/// but only if the kernel has it before the link goes up, so it is sent as a change of its
/// own (in one request with IFF_UP, the link can come up before the mode is applied).
public final class LinkConfigurator {
    private let socket: RouteSocket

    /// Opens the netlink socket.
    public init() throws(NetlinkError) {
        socket = try RouteSocket()
    }

    /// The recommended bring-up of a daemon-owned link: IPv6 address generation off (in
    /// its own change), MTU, the host side's IPv4 address, then up — in that order.
    public func configure(ifindex: Int32, mtu: UInt32, hostAddress: IPv4InterfaceAddress) throws(NetlinkError) {
        try disableIPv6AddressGeneration(ifindex: ifindex)
        try setMTU(mtu, ifindex: ifindex)
        try addIPv4Address(hostAddress, ifindex: ifindex)
        try setUp(true, ifindex: ifindex)
    }

    /// Sets the inet6 address-generation mode to none (IN6_ADDR_GEN_MODE_NONE), alone in
    /// one change. Do it while the link is down (see the type's comment).
    public func disableIPv6AddressGeneration(ifindex: Int32) throws(NetlinkError) {
        try change(ifindex: ifindex, "disable IPv6 address generation on ifindex \(ifindex)") { changes throws(NetlinkError) in
            try NetlinkError.check(
                rtnl_link_inet6_set_addr_gen_mode(changes, UInt8(Inet6AddressGeneration.none.rawValue)),
                "set inet6 address-generation mode")
        }
    }

    /// Sets the MTU (the kernel refuses values outside the device's range with EINVAL).
    public func setMTU(_ mtu: UInt32, ifindex: Int32) throws(NetlinkError) {
        try change(ifindex: ifindex, "set MTU \(mtu) on ifindex \(ifindex)") { changes in
            rtnl_link_set_mtu(changes, mtu)
        }
    }

    /// Sets the link's hardware (MAC) address, 6 bytes: a TAP made again takes its old one.
    public func setHardwareAddress(_ bytes: [UInt8], ifindex: Int32) throws(NetlinkError) {
        let address = try NetlinkAddress(family: AF_LLC, bytes: bytes, prefixLength: Int32(bytes.count * 8))
        try change(ifindex: ifindex, "set hardware address on ifindex \(ifindex)") { changes in
            rtnl_link_set_addr(changes, address.pointer)
        }
    }

    /// Brings the link administratively up (IFF_UP) or down.
    public func setUp(_ up: Bool, ifindex: Int32) throws(NetlinkError) {
        try change(ifindex: ifindex, "set ifindex \(ifindex) \(up ? "up" : "down")") { changes in
            if up { rtnl_link_set_flags(changes, UInt32(IFF_UP)) } else { rtnl_link_unset_flags(changes, UInt32(IFF_UP)) }
        }
    }

    /// Adds `address` to the link (RTM_NEWADDR with NLM_F_CREATE|NLM_F_EXCL: an address it
    /// already has fails with NLE_EXIST). The kernel adds the prefix's connected route.
    public func addIPv4Address(_ address: IPv4InterfaceAddress, ifindex: Int32) throws(NetlinkError) {
        let object = try ipv4Object(address, ifindex: ifindex)
        try NetlinkError.check(
            rtnl_addr_add(socket.pointer, object.pointer, NLM_F_EXCL), "add \(address) to ifindex \(ifindex)")
    }

    /// Removes `address` from the link (NLE_NOADDR or NLE_OBJ_NOTFOUND if it is not there).
    public func removeIPv4Address(_ address: IPv4InterfaceAddress, ifindex: Int32) throws(NetlinkError) {
        let object = try ipv4Object(address, ifindex: ifindex)
        try NetlinkError.check(
            rtnl_addr_delete(socket.pointer, object.pointer, 0), "remove \(address) from ifindex \(ifindex)")
    }

    /// The link's flags, MTU, hardware address, address-generation mode and counters.
    public func state(ifindex: Int32) throws(NetlinkError) -> LinkState {
        let link = try LinkObject(kernel: socket, ifindex: ifindex)
        return LinkState(link: link)
    }

    /// The ifindex of the link called `name`.
    public func ifindex(named name: String) throws(NetlinkError) -> Int32 {
        var link: OpaquePointer?
        try NetlinkError.check(rtnl_link_get_kernel(socket.pointer, 0, name, &link), "get link \(name)")
        guard let link else { throw NetlinkError(operation: "get link \(name)", code: NLE_OBJ_NOTFOUND) }
        defer { rtnl_link_put(link) }
        return rtnl_link_get_ifindex(link)
    }

    /// The IPv4 and IPv6 addresses on the link, in the kernel's order.
    public func addresses(ifindex: Int32) throws(NetlinkError) -> [LinkAddress] {
        let cache = try ObjectCache(addressesFrom: socket)
        var found: [LinkAddress] = []
        cache.forEach { object in
            guard rtnl_addr_get_ifindex(object) == ifindex, let address = LinkAddress(rtnlAddress: object) else { return }
            found.append(address)
        }
        return found
    }

    /// Sends one RTM_NEWLINK change for `ifindex` with what `fill` sets on an empty link.
    private func change(
        ifindex: Int32, _ operation: @autoclosure () -> String, _ fill: (OpaquePointer) throws(NetlinkError) -> Void
    ) throws(NetlinkError) {
        let original = try LinkObject()
        rtnl_link_set_ifindex(original.pointer, ifindex)
        let changes = try LinkObject()
        try fill(changes.pointer)
        try NetlinkError.check(rtnl_link_change(socket.pointer, original.pointer, changes.pointer, 0), operation())
    }

    private func ipv4Object(_ address: IPv4InterfaceAddress, ifindex: Int32) throws(NetlinkError) -> AddressObject {
        let object = try AddressObject()
        let local = try NetlinkAddress(family: AF_INET, bytes: address.octets, prefixLength: Int32(address.prefixLength))
        rtnl_addr_set_ifindex(object.pointer, ifindex)
        try NetlinkError.check(rtnl_addr_set_local(object.pointer, local.pointer), "set local address \(address)")
        rtnl_addr_set_prefixlen(object.pointer, Int32(address.prefixLength))
        return object
    }
}
