// The demux benchmark's world: an address plan and a real BindingTable holding N bindings of
// mixed shapes, and the frames that hit them (or miss on purpose), built through ExoCore's API.

import ExoCore
import ExoWire

/// One size of the demux benchmark: the plan, the bindings made through `BindingTable.bind`
/// (so every grant check of the daemon ran), and two frame sets laid out back to back.
struct DemuxWorld {
    static let tenants = 16
    /// Ports of each shared (protocol, address) share; one tenant holds the whole range.
    static let portsPerShare = 4000
    static let firstPort: UInt16 = 1000

    let plan: AddressPlan
    var bindings = BindingTable()
    let portBindings: Int
    let addressBindings: Int
    /// Frames that reach a tenant: port bindings (UDP and TCP) and UDP to whole-bound addresses.
    var hits = FrameSet()
    /// Frames that reach nobody: unbound ports of granted shares, addresses outside the plan,
    /// a wrong destination MAC.
    var misses = FrameSet()

    static let peerMAC = MACAddress(0x02, 0xAA, 0, 0, 0, 1)
    static let peer = IPv4Address(10, 9, 0, 1)

    /// Shared address `i` (10.200.x.y) and whole address `j` (10.201.x.y).
    static func shared(_ i: Int) -> IPv4Address { IPv4Address(rawValue: 0x0AC8_0000 | UInt32(i + 1)) }
    static func whole(_ j: Int) -> IPv4Address { IPv4Address(rawValue: 0x0AC9_0000 | UInt32(j + 1)) }

    /// `count` bindings: four in five are port bindings (UDP and TCP alternating), one in five
    /// binds a whole address; with one binding it is a single UDP port binding.
    init(bindings count: Int, framesPerSet: Int, seed: UInt64) throws {
        addressBindings = count / 5
        portBindings = count - addressBindings
        let sharedAddresses = (portBindings + 2 * Self.portsPerShare - 1) / (2 * Self.portsPerShare) + 1
        var grants = (0..<Self.tenants).map { NetworkGrant(tenant: TenantID($0)) }
        for i in 0..<sharedAddresses {
            let range = Self.firstPort...(Self.firstPort + UInt16(Self.portsPerShare - 1))
            grants[i % Self.tenants].shares.append(PortShare(.udp, Self.shared(i), ports: range))
            grants[(i + 1) % Self.tenants].shares.append(PortShare(.tcp, Self.shared(i), ports: range))
        }
        for j in 0..<addressBindings {
            let address = Self.whole(j)
            grants[j % Self.tenants].addresses.append(WholeAddress(address, mac: Self.wholeMAC(address)))
        }
        plan = try AddressPlan(daemonMAC: Self.daemonMAC, grants: grants)
        var endpoints: [Endpoint] = []
        for k in 0..<portBindings {
            let proto: TransportProtocol = k % 2 == 0 ? .udp : .tcp
            let pair = k / 2
            let endpoint = Endpoint(
                proto, Self.shared(pair / Self.portsPerShare), Self.firstPort + UInt16(pair % Self.portsPerShare))
            guard let tenant = plan.shareHolder(proto, endpoint.address, port: endpoint.port) else {
                throw DemuxSetupError("no share holder for \(endpoint)")
            }
            try bindings.bind(endpoint, session: SessionID(tenant) + 1, tenant: tenant, plan: plan)
            endpoints.append(endpoint)
        }
        for j in 0..<addressBindings {
            let tenant = TenantID(j % Self.tenants)
            try bindings.bindAddress(Self.whole(j), session: SessionID(tenant) + 1, tenant: tenant, plan: plan)
        }
        guard bindings.count == count else { throw DemuxSetupError("bound \(bindings.count) of \(count)") }
        var random = SplitMix(seed: seed)
        for n in 0..<framesPerSet {
            let sourcePort = UInt16(truncatingIfNeeded: 20_000 + random.next() % 40_000)
            if addressBindings > 0, n % 5 == 4 {
                let address = Self.whole(Int(random.next() % UInt64(addressBindings)))
                hits.append(BenchFrames.udp(
                    from: Self.peerMAC, to: Self.wholeMAC(address), Self.peer, sourcePort, address,
                    UInt16(truncatingIfNeeded: 1 + random.next() % 60_000)))
            } else {
                let e = endpoints[Int(random.next() % UInt64(endpoints.count))]
                let build = e.proto == .udp ? BenchFrames.udp : BenchFrames.tcp
                hits.append(build(Self.peerMAC, Self.daemonMAC, Self.peer, sourcePort, e.address, e.port))
            }
            switch n % 4 {
            case 0, 1:  // a granted share's port nobody bound (past the bound ones)
                let port = Self.firstPort + UInt16(Self.portsPerShare - 1)
                let address = Self.shared(sharedAddresses - 1)
                misses.append(BenchFrames.udp(
                    from: Self.peerMAC, to: Self.daemonMAC, Self.peer, sourcePort, address,
                    port - UInt16(random.next() % 16)))
            case 2:  // an address in nobody's grant
                let address = IPv4Address(rawValue: 0x0ACA_0000 | UInt32(random.next() % 60_000 + 1))
                misses.append(BenchFrames.udp(
                    from: Self.peerMAC, to: Self.daemonMAC, Self.peer, sourcePort, address, 7000))
            default:  // a bound endpoint, but sent to another MAC
                let e = endpoints[Int(random.next() % UInt64(endpoints.count))]
                let build = e.proto == .udp ? BenchFrames.udp : BenchFrames.tcp
                misses.append(build(Self.peerMAC, Self.peerMAC, Self.peer, sourcePort, e.address, e.port))
            }
        }
    }

    static let daemonMAC = MACAddress(0x02, 0, 0, 0, 0, 1)
    static func wholeMAC(_ address: IPv4Address) -> MACAddress { MACAddress(rawValue: 0x0200_0000_0000 | UInt64(address.rawValue)) }
}

/// Frames of `BenchFrames.length` bytes stored back to back in one array, so the timed loop
/// walks memory in order and allocates nothing.
struct FrameSet {
    private(set) var bytes: [UInt8] = []
    private(set) var count = 0

    mutating func append(_ frame: [UInt8]) {
        precondition(frame.count == BenchFrames.length)
        bytes.append(contentsOf: frame)
        count += 1
    }
}

/// A deterministic generator, so every run classifies the same frames.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

struct DemuxSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
