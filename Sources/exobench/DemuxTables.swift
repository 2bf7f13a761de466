// The demux benchmark's world: an address plan and a real BindingTable holding N bindings of
// mixed shapes (and, filtered, DPF filters on them), and the frames that hit or miss on purpose.

import ExoCore
import ExoWire
import ExoPacket

/// One size of the demux benchmark: the plan, the bindings made through `BindingTable.bind`
/// (so every grant check of the daemon ran), filters installed through `installFilters` (so
/// every filter check ran) when `filtered`, and labelled frame sets, each frame with the
/// delivery it must get.
struct DemuxWorld {
    static let tenants = 16
    /// Ports of each shared (protocol, address) share; one tenant holds the whole range.
    static let portsPerShare = 4000
    static let firstPort: UInt16 = 1000

    /// One binding and, in a filtered world, the filters installed on it.
    struct Bound {
        var target: BindingTarget
        var session: SessionID
        /// The protocol of its frames (whole-address bindings get UDP).
        var proto: TransportProtocol
        var filters: [DemuxFilter] = []
    }

    let plan: AddressPlan
    var bindings = BindingTable(filterQuotaPerSession: 1 << 30)
    let filtered: Bool
    let portBindings: Int
    let addressBindings: Int
    private(set) var filterCount = 0
    private(set) var bound: [Bound] = []
    /// `hits`, `filtered` (filtered worlds only: a binding takes the frame, none of its
    /// filters holds) and `misses` (no binding, an address in no grant, a wrong MAC).
    private(set) var sets: [(kind: String, frames: PacketSampleSet)] = []

    static let peerMAC = MACAddress(0x02, 0xAA, 0, 0, 0, 1)
    static let daemonMAC = MACAddress(0x02, 0, 0, 0, 0, 1)

    /// Shared address `i` (10.200.x.y) and whole address `j` (10.201.x.y).
    static func shared(_ i: Int) -> IPv4Address { IPv4Address(rawValue: 0x0AC8_0000 | UInt32(i + 1)) }
    static func whole(_ j: Int) -> IPv4Address { IPv4Address(rawValue: 0x0AC9_0000 | UInt32(j + 1)) }
    static func wholeMAC(_ address: IPv4Address) -> MACAddress { MACAddress(rawValue: 0x0200_0000_0000 | UInt64(address.rawValue)) }

    /// `count` bindings: four in five are port bindings (UDP and TCP alternating), one in five
    /// binds a whole address; with one binding it is a single UDP port binding.
    init(bindings count: Int, filtered: Bool, framesPerSet: Int, seed: UInt64) throws {
        self.filtered = filtered
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
        var random = SplitMix(seed: seed)
        for k in 0..<portBindings {
            let proto: TransportProtocol = k % 2 == 0 ? .udp : .tcp
            let pair = k / 2
            let endpoint = Endpoint(
                proto, Self.shared(pair / Self.portsPerShare), Self.firstPort + UInt16(pair % Self.portsPerShare))
            guard let tenant = plan.shareHolder(proto, endpoint.address, port: endpoint.port) else {
                throw DemuxSetupError("no share holder for \(endpoint)")
            }
            let session = SessionID(tenant) + 1
            try bindings.bind(endpoint, session: session, tenant: tenant, plan: plan)
            let shapes = proto == .udp ? DemuxRecipe.udpEndpoint(pair) : DemuxRecipe.tcpEndpoint
            try add(Bound(target: .endpoint(endpoint), session: session, proto: proto), shapes, &random)
        }
        for j in 0..<addressBindings {
            let tenant = TenantID(j % Self.tenants)
            let session = SessionID(tenant) + 1
            try bindings.bindAddress(Self.whole(j), session: session, tenant: tenant, plan: plan)
            try add(Bound(target: .address(Self.whole(j)), session: session, proto: .udp), DemuxRecipe.address, &random)
        }
        guard bindings.count == count else { throw DemuxSetupError("bound \(bindings.count) of \(count)") }
        guard bindings.filterCount == filterCount else {
            throw DemuxSetupError("installed \(bindings.filterCount) of \(filterCount) filters")
        }
        makeFrames(framesPerSet, lastShare: Self.shared(sharedAddresses - 1), &random)
    }

    /// Records `item` and, in a filtered world, installs filters of `shapes` on it at once.
    private mutating func add(_ item: Bound, _ shapes: [[FilterShape]], _ random: inout SplitMix) throws {
        var item = item
        if filtered {
            item.filters = DemuxRecipe.filters(shapes, &random)
            _ = try bindings.installFilters(item.filters.map { $0.atoms(proto: item.proto) }, on: item.target, session: item.session)
            filterCount += item.filters.count
        }
        bound.append(item)
    }

    private mutating func makeFrames(_ count: Int, lastShare: IPv4Address, _ random: inout SplitMix) {
        var hits = PacketSampleSet(), rejected = PacketSampleSet(), misses = PacketSampleSet()
        for n in 0..<count {
            let item = bound[Int(random.next() % UInt64(bound.count))]
            var fields = FrameFields.peer(&random)
            if let filter = item.filters.isEmpty ? nil : item.filters[Int(random.next() % UInt64(item.filters.count))] {
                for shape in filter.shapes { shape.impose(filter.fields, on: &fields) }
            }
            hits.append(Self.frame(to: item, fields), expecting: .tenant(item.session))
            if filtered {
                let victim = bound[Int(random.next() % UInt64(bound.count))]
                rejected.append(Self.frame(to: victim, .stranger(&random)), expecting: .drop(.filteredOut(victim.session)))
            }
            let other = FrameFields.peer(&random)
            switch n % 4 {
            case 0, 1:  // a granted share's port nobody bound (past the bound ones)
                let port = Self.firstPort + UInt16(Self.portsPerShare - 1) - UInt16(random.next() % 16)
                misses.append(
                    BenchPackets.udp(from: other.sourceMAC, to: Self.daemonMAC, other.source, other.sourcePort, lastShare, port),
                    expecting: .drop(.noBinding))
            case 2:  // an address in nobody's grant
                let address = IPv4Address(rawValue: 0x0ACA_0000 | UInt32(random.next() % 60_000 + 1))
                misses.append(
                    BenchPackets.udp(from: other.sourceMAC, to: Self.daemonMAC, other.source, other.sourcePort, address, 7000),
                    expecting: .drop(.notOurAddress))
            default:  // a bound endpoint or address, but sent to another MAC
                let victim = bound[Int(random.next() % UInt64(bound.count))]
                misses.append(Self.frame(to: victim, other, destinationMAC: Self.peerMAC), expecting: .drop(.wrongDestinationMAC))
            }
        }
        sets = [("hits", hits)] + (filtered ? [("filtered", rejected)] : []) + [("misses", misses)]
    }

    /// A frame with `fields` to `item`'s endpoint, or UDP to its whole address at
    /// `fields.destinationPort`; to the MAC the plan gives it unless `destinationMAC` is set.
    static func frame(to item: Bound, _ fields: FrameFields, destinationMAC: MACAddress? = nil) -> [UInt8] {
        switch item.target {
        case .endpoint(let e):
            let mac = destinationMAC ?? daemonMAC
            return e.proto == .udp
                ? BenchPackets.udp(from: fields.sourceMAC, to: mac, fields.source, fields.sourcePort, e.address, e.port,
                    payload: fields.payload)
                : BenchPackets.tcp(from: fields.sourceMAC, to: mac, fields.source, fields.sourcePort, e.address, e.port,
                    payload: fields.payload)
        case .address(let a):
            return BenchPackets.udp(from: fields.sourceMAC, to: destinationMAC ?? wholeMAC(a), fields.source, fields.sourcePort, a,
                fields.destinationPort, payload: fields.payload)
        }
    }
}

/// Frames of `BenchPackets.length` bytes stored back to back in one array, so the timed loop
/// walks memory in order and allocates nothing; `expected[i]` is what frame `i` must get.
struct PacketSampleSet {
    private(set) var bytes: [UInt8] = []
    private(set) var expected: [Delivery] = []
    var count: Int { expected.count }

    mutating func append(_ frame: [UInt8], expecting delivery: Delivery) {
        precondition(frame.count == BenchPackets.length)
        bytes.append(contentsOf: frame)
        expected.append(delivery)
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
