// Who the stack is on its link and where packets go from it: its addresses and their MACs,
// the subnet, the gateway, and the next hop for a destination (on-link or the gateway).

import ExoPacket

/// Where a datagram for some destination is sent on the link.
enum NextHop: Hashable {
    /// To this neighbor's MAC (the destination itself, or the gateway).
    case neighbor(IPv4Address)
    /// To every station (limited or subnet-directed broadcast).
    case broadcast
}

/// The stack's addresses and routing, fixed at creation.
struct LinkIdentity {
    let addresses: [LocalAddress]
    let subnetMask: UInt32
    let subnet: UInt32
    let gateway: IPv4Address?

    init(_ configuration: StackConfiguration) {
        precondition(!configuration.addresses.isEmpty, "a stack needs an address")
        precondition(configuration.prefixLength <= 32, "prefix longer than 32 bits")
        addresses = configuration.addresses
        let prefix = UInt32(configuration.prefixLength)
        subnetMask = prefix == 0 ? 0 : ~UInt32(0) << (32 - prefix)
        let reference = configuration.gateway ?? configuration.addresses[0].address
        subnet = reference.rawValue & subnetMask
        gateway = configuration.gateway
    }

    /// The index of `address` among the stack's addresses.
    func index(of address: IPv4Address) -> Int? {
        for i in addresses.indices where addresses[i].address == address { return i }
        return nil
    }

    /// True when `mac` is the MAC of one of the stack's addresses.
    func ownsMAC(_ mac: MACAddress) -> Bool {
        for local in addresses where local.mac == mac { return true }
        return false
    }

    /// True for 255.255.255.255 and the subnet's directed broadcast.
    func isBroadcast(_ address: IPv4Address) -> Bool {
        address == .broadcast || (subnetMask != ~0 && address.rawValue == subnet | ~subnetMask)
    }

    func isOnLink(_ address: IPv4Address) -> Bool { address.rawValue & subnetMask == subnet }

    /// Where to send a datagram for `destination`; nil when it cannot leave this stack
    /// (this-network, loopback, multicast, one of its own addresses, or off-link without a gateway).
    func nextHop(to destination: IPv4Address) -> NextHop? {
        if isBroadcast(destination) { return .broadcast }
        guard destination.isUnicastHost, index(of: destination) == nil else { return nil }
        if isOnLink(destination) { return .neighbor(destination) }
        guard let gateway else { return nil }
        return .neighbor(gateway)
    }

    /// True when a packet from `source` may be answered: a unicast host that is not us.
    func isValidPeer(_ source: IPv4Address) -> Bool {
        source.isUnicastHost && !isBroadcast(source) && index(of: source) == nil
    }
}

/// What the stack may bind: every port of an owned address, granted ranges of shared ones.
struct EndpointGrants {
    let grants: [EndpointGrant]

    func permits(_ proto: IPProtocol, _ local: LocalAddress, port: UInt16) -> Bool {
        if local.owned { return true }
        for grant in grants where grant.proto == proto && grant.address == local.address && grant.ports.contains(port) {
            return true
        }
        return false
    }

    /// The ranges to search for a free port on `local`: the dynamic range (RFC 6335) on an
    /// owned address, the grants on a shared one.
    func candidateRanges(_ proto: IPProtocol, _ local: LocalAddress) -> [ClosedRange<UInt16>] {
        if local.owned { return [49152...65535] }
        return grants.filter { $0.proto == proto && $0.address == local.address }.map(\.ports)
    }
}
