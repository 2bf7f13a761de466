// Installing and removing filters: every refusal with its typed error, what an accepted
// filter may say about fields the binding fixes, and filters vanishing with their binding.
import ExoCore
import ExoWire
import ExoPacket
import Testing

@Suite struct FilterInstallTests {
    static let udpA = BindingTarget.endpoint(Endpoint(.udp, Net.shared, 1500))
    static let addrA = BindingTarget.address(Net.addressA)
    static let srcPort = FilterAtom(.transport, offset: 0, width: 2, value: 5000)

    typealias Refusal = (String, BindingTarget, [FilterAtom], ExoError)
    static let refusals: [Refusal] = [
        ("no atoms", udpA, [], .filterAtomCount),
        ("17 atoms", udpA, (0..<17).map { FilterAtom(.transport, offset: UInt16(8 + $0), width: 1, value: 1) }, .filterAtomCount),
        ("width 3", udpA, [FilterAtom(.transport, offset: 8, width: 3, mask: 0xFF_FFFF, value: 1)], .filterBadAtom),
        ("width 0", udpA, [FilterAtom(.transport, offset: 8, width: 0, mask: 0, value: 0)], .filterBadAtom),
        ("width 8", udpA, [FilterAtom(.transport, offset: 8, width: 8, mask: 1, value: 1)], .filterBadAtom),
        ("past the largest frame", udpA, [FilterAtom(.link, offset: 9_213, width: 4, value: 1)], .filterOffsetTooLarge),
        ("offset 65535", udpA, [FilterAtom(.transport, offset: .max, width: 1, value: 1)], .filterOffsetTooLarge),
        ("value outside mask", udpA, [FilterAtom(.transport, offset: 8, width: 1, mask: 0x0F, value: 0x10)], .filterValueOutsideMask),
        ("value wider than field", udpA, [FilterAtom(.transport, offset: 8, width: 1, mask: 0x1FF, value: 0x100)], .filterValueOutsideMask),
        ("another destination port", udpA, [FilterAtom(.transport, offset: 2, width: 2, value: 1501)], .filterWidensBinding),
        ("another port, one byte", udpA, [FilterAtom(.transport, offset: 3, width: 1, value: 0xDD)], .filterWidensBinding),
        ("another destination address", udpA, [FilterAtom(.network, offset: 16, width: 4, value: Net.addressB.rawValue)], .filterWidensBinding),
        ("another address by link offset", udpA, [FilterAtom(.link, offset: 33, width: 1, value: 11)], .filterWidensBinding),
        ("another address, masked bits", udpA,
         [FilterAtom(.network, offset: 16, width: 4, mask: 0xFFFF_0000, value: 0x0A4E_0000)], .filterWidensBinding),
        ("another protocol", udpA, [FilterAtom(.network, offset: 9, width: 1, value: 6)], .filterWidensBinding),
        ("another EtherType", udpA, [FilterAtom(.link, offset: 12, width: 2, value: 0x0806)], .filterWidensBinding),
        ("another whole address", addrA, [FilterAtom(.network, offset: 16, width: 4, value: Net.addressB.rawValue)], .filterWidensBinding),
        ("two values of one field", udpA, [srcPort, FilterAtom(.transport, offset: 0, width: 2, value: 5001)], .filterContradictory),
        ("two values of one bit, other shapes", udpA,
         [FilterAtom(.transport, offset: 8, width: 1, value: 0x41), FilterAtom(.transport, offset: 8, width: 2, mask: 0x0100, value: 0)],
         .filterContradictory),
        ("link and network alias", udpA,
         [FilterAtom(.link, offset: 15, width: 1, value: 0), FilterAtom(.network, offset: 1, width: 1, value: 0xB8)], .filterContradictory),
    ]

    @Test(arguments: refusals.indices) func refusalsAreTyped(_ index: Int) {
        let (name, target, atoms, expected) = Self.refusals[index]
        var table = Net.bindings()
        let session = target == Self.addrA ? Net.sessionA : Net.sessionA
        #expect(throws: expected, "\(name)") { try table.installFilter(atoms, on: target, session: session) }
        #expect(table.filterCount == 0)
    }

    @Test func aBindingTheSessionDoesNotHoldIsNotBound() {
        var table = Net.bindings()
        let udpB = BindingTarget.endpoint(Endpoint(.udp, Net.shared, 2500))
        #expect(throws: ExoError.notBound) { try table.installFilter([Self.srcPort], on: udpB, session: Net.sessionA) }
        // A's other session holds udp addressA:53, not A's shared port.
        #expect(throws: ExoError.notBound) { try table.installFilter([Self.srcPort], on: Self.udpA, session: Net.sessionA2) }
        let unbound = BindingTarget.endpoint(Endpoint(.udp, Net.shared, 1501))
        #expect(throws: ExoError.notBound) { try table.installFilter([Self.srcPort], on: unbound, session: Net.sessionA) }
    }

    @Test func atomsEqualToWhatTheBindingFixesAreRedundantAndAccepted() throws {
        var table = Net.bindings()
        let atoms = [
            FilterAtom(.transport, offset: 2, width: 2, value: 1500), FilterAtom(.network, offset: 9, width: 1, value: 17),
            FilterAtom(.network, offset: 16, width: 4, mask: 0xFFFF_FF00, value: Net.shared.rawValue & 0xFFFF_FF00),
            FilterAtom(.link, offset: 12, width: 2, value: 0x0800), Self.srcPort, Self.srcPort,
        ]
        let id = try table.installFilter(atoms, on: Self.udpA, session: Net.sessionA)
        // Sorted by shape, the duplicate gone.
        #expect(table.installedFilters.map(\.id) == [id])
        #expect(table.installedFilters[0].filter.atoms.count == 5)
        // An address binding also takes ARP: a link atom at the IPv4 address's place is
        // only checked against it when the filter can match IPv4 frames alone.
        _ = try table.installFilter([FilterAtom(.link, offset: 30, width: 4, value: 1)], on: Self.addrA, session: Net.sessionA)
    }

    @Test func theQuotaCountsEverySessionFilter() throws {
        var table = BindingTable(filterQuotaPerSession: 3)
        try table.bind(Endpoint(.udp, Net.shared, 1500), session: Net.sessionA, tenant: Net.a, plan: Net.plan)
        try table.bindAddress(Net.addressA, session: Net.sessionA, tenant: Net.a, plan: Net.plan)
        let first = try table.installFilter([Self.srcPort], on: Self.udpA, session: Net.sessionA)
        _ = try table.installFilters([[Self.srcPort], [Self.srcPort]], on: Self.addrA, session: Net.sessionA)
        #expect(throws: ExoError.filterQuotaExceeded) { try table.installFilter([Self.srcPort], on: Self.udpA, session: Net.sessionA) }
        try table.removeFilter(first, session: Net.sessionA)
        _ = try table.installFilter([Self.srcPort], on: Self.udpA, session: Net.sessionA)
        // All or nothing: two more do not fit, neither is installed.
        try table.unbind(Self.udpA, session: Net.sessionA)
        #expect(throws: ExoError.filterQuotaExceeded) {
            try table.installFilters([[Self.srcPort], [Self.srcPort]], on: Self.addrA, session: Net.sessionA)
        }
        #expect(table.filterCount == 2)
    }

    @Test func onlyTheInstallingSessionRemovesAFilter() throws {
        var table = Net.bindings()
        let id = try table.installFilter([Self.srcPort], on: Self.udpA, session: Net.sessionA)
        #expect(throws: ExoError.noSuchFilter) { try table.removeFilter(id, session: Net.sessionB) }
        #expect(throws: ExoError.noSuchFilter) { try table.removeFilter(id + 1, session: Net.sessionA) }
        #expect(try table.removeFilter(id, session: Net.sessionA).target == Self.udpA)
        #expect(throws: ExoError.noSuchFilter) { try table.removeFilter(id, session: Net.sessionA) }
    }

    @Test func filtersVanishWithTheirBindingAndSession() throws {
        var table = Net.bindings()
        _ = try table.installFilter([Self.srcPort], on: Self.udpA, session: Net.sessionA)
        _ = try table.installFilter([Self.srcPort], on: Self.addrA, session: Net.sessionA)
        let udpB = BindingTarget.endpoint(Endpoint(.udp, Net.shared, 2500))
        let bID = try table.installFilter([Self.srcPort], on: udpB, session: Net.sessionB)
        try table.unbind(Self.udpA, session: Net.sessionA)
        #expect(table.filterCount == 2)
        // Rebinding the endpoint starts without filters: everything for it is delivered.
        try table.bind(Endpoint(.udp, Net.shared, 1500), session: Net.sessionA, tenant: Net.a, plan: Net.plan)
        let frame = Frames.udp(from: Net.gateway, 7, to: Net.shared, 1500)
        #expect(classify(frame, bindings: table) == .tenant(Net.sessionA))
        table.unbindAll(session: Net.sessionA)
        #expect(table.installedFilters.map(\.id) == [bID])
    }
}
