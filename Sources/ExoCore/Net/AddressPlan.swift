// What the configuration grants on the network: per tenant, addresses owned whole and port
// (or echo identifier) shares of addresses split by port, each address with one MAC. Validated once; looked up per packet.
import ExoWire
import ExoPacket

/// An address granted whole to one tenant, with the MAC that belongs to it.
public struct WholeAddress: Hashable, Sendable {
    public var address: IPv4Address
    public var mac: MACAddress
    public init(_ address: IPv4Address, mac: MACAddress) {
        self.address = address
        self.mac = mac
    }
}

/// A range of ports of one protocol on an address shared by port (for `.icmp`, a range of
/// echo identifiers). A shared address's MAC is the daemon's.
public struct PortShare: Hashable, Sendable {
    public var proto: TransportProtocol
    public var address: IPv4Address
    public var ports: ClosedRange<UInt16>
    public init(_ proto: TransportProtocol, _ address: IPv4Address, ports: ClosedRange<UInt16>) {
        self.proto = proto
        self.address = address
        self.ports = ports
    }
}

/// Everything one tenant is granted on the network.
public struct NetworkGrant: Hashable, Sendable {
    public var tenant: TenantID
    public var addresses: [WholeAddress]
    public var shares: [PortShare]
    public init(tenant: TenantID, addresses: [WholeAddress] = [], shares: [PortShare] = []) {
        self.tenant = tenant
        self.addresses = addresses
        self.shares = shares
    }
}

/// Who an address belongs to.
public enum AddressOwner: Hashable, Sendable {
    /// Owned whole by one tenant.
    case whole(TenantID)
    /// Split by port among tenants; ARP and echo requests to it are the daemon's (echo
    /// replies go by identifier, granted like ports).
    case shared
}

/// The validated network grants of every tenant. Immutable once built: lookups are a hash
/// hit on the address, then (for shared addresses) a binary search of sorted port ranges,
/// and touch only plain values.
public struct AddressPlan: Sendable {
    /// One share in the flat, sorted table (by address, protocol, lowest port).
    struct ShareSpan: Sendable {
        var lower: UInt16
        var upper: UInt16
        var tenant: TenantID
    }

    /// Per address: its owner, its MAC, and where its shares sit in `spans`. Invariant:
    /// `icmp.upperBound == tcp.lowerBound` and `tcp.upperBound == udp.lowerBound`, so
    /// `icmp.lowerBound..<udp.upperBound` is all of them.
    struct Entry: Sendable {
        var owner: AddressOwner
        var mac: MACAddress
        var icmp: Range<Int>
        var tcp: Range<Int>
        var udp: Range<Int>

        func spans(of proto: TransportProtocol) -> Range<Int> {
            switch proto {
            case .icmp: icmp
            case .tcp: tcp
            case .udp: udp
            }
        }
    }

    /// The MAC of every shared address, and of the daemon's own frames.
    public let daemonMAC: MACAddress
    /// The grants as given (for listings).
    public let grants: [NetworkGrant]
    let index: [IPv4Address: Int]
    let entries: [Entry]
    let spans: [ShareSpan]

    /// Validates `grants` (see `AddressPlanError`) and builds the lookup tables.
    public init(daemonMAC: MACAddress, grants: [NetworkGrant]) throws(AddressPlanError) {
        let tables = try AddressPlanBuilder(daemonMAC: daemonMAC, grants: grants).build()
        self.daemonMAC = daemonMAC
        self.grants = grants
        index = tables.index
        entries = tables.entries
        spans = tables.spans
    }

    /// Who owns `address`, or nil when it is not in the plan.
    public func owner(of address: IPv4Address) -> AddressOwner? {
        entry(address)?.owner
    }

    /// The one MAC of `address` (its owner's, or the daemon's for a shared address).
    public func mac(of address: IPv4Address) -> MACAddress? {
        entry(address)?.mac
    }

    /// Owner and MAC of `address` in one lookup, or nil when it is not in the plan.
    public func ownerAndMAC(of address: IPv4Address) -> (owner: AddressOwner, mac: MACAddress)? {
        entry(address).map { ($0.owner, $0.mac) }
    }

    /// The tenant whose share holds `port` of (`proto`, `address`), if any (for `.icmp`,
    /// `port` is an echo identifier).
    public func shareHolder(_ proto: TransportProtocol, _ address: IPv4Address, port: UInt16) -> TenantID? {
        guard let entry = entry(address) else { return nil }
        let range = entry.spans(of: proto)
        // Last span whose lower bound is ≤ port: spans of one (address, proto) are sorted
        // and disjoint, so only that one can contain it.
        var low = range.lowerBound
        var high = range.upperBound
        while low < high {
            let mid = low + (high - low) / 2
            if spans[mid].lower <= port { low = mid + 1 } else { high = mid }
        }
        guard low > range.lowerBound else { return nil }
        let span = spans[low - 1]
        return port <= span.upper ? span.tenant : nil
    }

    /// True when `tenant` has any port share of `address`.
    public func hasShare(_ tenant: TenantID, of address: IPv4Address) -> Bool {
        guard let entry = entry(address), entry.owner == .shared else { return false }
        for index in entry.icmp.lowerBound..<entry.udp.upperBound where spans[index].tenant == tenant { return true }
        return false
    }

    /// True when `tenant` may bind `endpoint`: it owns the address whole, or its share holds the port
    /// (or echo identifier). Port 0 (identifier 0) is never granted.
    public func grants(_ endpoint: Endpoint, to tenant: TenantID) -> Bool {
        guard endpoint.port != 0, let owner = owner(of: endpoint.address) else { return false }
        switch owner {
        case .whole(let t): return t == tenant
        case .shared: return shareHolder(endpoint.proto, endpoint.address, port: endpoint.port) == tenant
        }
    }

    func entry(_ address: IPv4Address) -> Entry? {
        guard let position = index[address] else { return nil }
        return entries[position]
    }
}
