// Bindings, filters and reassembly slots are charged per tenant: one tenant's use never eats
// into another's allowance, and giving a thing up frees its place.
import ExoCore
import ExoWire
import ExoPacket
import Testing

@Suite struct TenantShareTests {
    @Test func bindingsStopAtTheTenantsLimitAcrossItsSessions() throws {
        var table = BindingTable()
        try table.bind(Endpoint(.udp, Net.shared, 1000), session: Net.sessionA, tenant: Net.a, plan: Net.plan, limit: 2)
        try table.bind(Endpoint(.udp, Net.shared, 1001), session: Net.sessionA2, tenant: Net.a, plan: Net.plan, limit: 2)
        #expect(throws: ExoError.bindingLimit) {
            try table.bind(Endpoint(.udp, Net.shared, 1002), session: Net.sessionA, tenant: Net.a, plan: Net.plan, limit: 2)
        }
        try table.bind(Endpoint(.udp, Net.shared, 2000), session: Net.sessionB, tenant: Net.b, plan: Net.plan, limit: 2)
        #expect(table.count(of: Net.a) == 2 && table.count(of: Net.b) == 1)
        table.unbindAll(session: Net.sessionA2)
        try table.bind(Endpoint(.udp, Net.shared, 1002), session: Net.sessionA, tenant: Net.a, plan: Net.plan, limit: 2)
        try table.unbind(.endpoint(Endpoint(.udp, Net.shared, 1002)), session: Net.sessionA)
        #expect(table.count(of: Net.a) == 1)
    }

    @Test func filtersStopAtTheTenantsLimitAndLeaveWithTheirBinding() throws {
        var table = BindingTable()
        let target = BindingTarget.endpoint(Endpoint(.udp, Net.shared, 1000))
        try table.bind(Endpoint(.udp, Net.shared, 1000), session: Net.sessionA, tenant: Net.a, plan: Net.plan)
        try table.bind(Endpoint(.udp, Net.shared, 2000), session: Net.sessionB, tenant: Net.b, plan: Net.plan)
        let atom = { (value: UInt32) in [FilterAtom(.transport, offset: 8, width: 2, mask: 0xFFFF, value: value)] }
        for value in 0..<3 { _ = try table.installFilter(atom(UInt32(value)), on: target, session: Net.sessionA, tenantLimit: 3) }
        #expect(throws: ExoError.filterLimit) {
            try table.installFilter(atom(9), on: target, session: Net.sessionA, tenantLimit: 3)
        }
        _ = try table.installFilter(atom(9), on: .endpoint(Endpoint(.udp, Net.shared, 2000)), session: Net.sessionB, tenantLimit: 3)
        #expect(table.filterCount(of: Net.a) == 3 && table.filterCount(of: Net.b) == 1)
        try table.unbind(target, session: Net.sessionA)
        #expect(table.filterCount(of: Net.a) == 0)
    }

    @Test func aTenantFloodingFragmentsEvictsOnlyItsOwnDatagrams() {
        let rig = ReassemblyRig(datagrams: 8, owners: 2, perOwner: 3)
        // B holds two partial datagrams; then A opens twenty.
        for id in 0..<2 { rig.add(Self.firstHalf(id: UInt16(100 + id)), owner: 1) }
        for id in 0..<20 { rig.add(Self.firstHalf(id: UInt16(id)), owner: 0) }
        #expect(rig.reassembler.datagramCount(of: 1) == 2)
        #expect(rig.reassembler.datagramCount(of: 0) == 3)
        #expect(rig.reassembler.evictions(of: 0) == 17 && rig.reassembler.evictions(of: 1) == 0)
        // B's datagrams still complete.
        for id in 0..<2 { rig.add(Self.secondHalf(id: UInt16(100 + id)), owner: 1) }
        #expect(rig.completed.count == 2)
    }

    @Test func aFullReassemblerMakesRoomFromTheHeaviestOwner() {
        let rig = ReassemblyRig(datagrams: 4, owners: 3, perOwner: 4)
        for id in 0..<3 { rig.add(Self.firstHalf(id: UInt16(id)), owner: 0) }
        rig.add(Self.firstHalf(id: 50), owner: 1)
        rig.add(Self.firstHalf(id: 60), owner: 2)
        #expect(rig.reassembler.datagramCount(of: 0) == 2)
        #expect(rig.reassembler.datagramCount(of: 1) == 1 && rig.reassembler.datagramCount(of: 2) == 1)
        #expect(rig.reassembler.evictions(of: 1) == 0)
    }

    static func halves(id: UInt16) -> [[UInt8]] {
        Fragmenter.fragments(of: Fragmenter.datagram(200, id: id), cuts: [64])
    }
    static func firstHalf(id: UInt16) -> [UInt8] { halves(id: id)[0] }
    static func secondHalf(id: UInt16) -> [UInt8] { halves(id: id)[1] }
}
