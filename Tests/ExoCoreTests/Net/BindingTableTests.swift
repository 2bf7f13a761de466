// Bindings: a tenant binds only what it is granted, each endpoint and address once; unbind
// removes only the caller's own binding; a session's end removes all of its bindings.
import ExoCore
import ExoWire
import Testing

@Suite struct BindingTableTests {
    @Test func aGrantedEndpointIsBoundAndFoundByExactLookup() throws {
        var table = BindingTable()
        try table.bind(Endpoint(.udp, Net.shared, 1500), session: Net.sessionA, tenant: Net.a, plan: Net.plan)
        #expect(table.session(for: Endpoint(.udp, Net.shared, 1500)) == Net.sessionA)
        #expect(table.session(for: Endpoint(.udp, Net.shared, 1501)) == nil)
        #expect(table.session(for: Endpoint(.tcp, Net.shared, 1500)) == nil)
        #expect(table.count == 1)
    }

    @Test func aSecondBindingOfTheSameEndpointIsInUse() throws {
        var table = BindingTable()
        let endpoint = Endpoint(.udp, Net.shared, 1500)
        try table.bind(endpoint, session: Net.sessionA, tenant: Net.a, plan: Net.plan)
        #expect(throws: ExoError.endpointInUse) {
            try table.bind(endpoint, session: Net.sessionA2, tenant: Net.a, plan: Net.plan)
        }
        #expect(throws: ExoError.endpointInUse) {
            try table.bind(endpoint, session: Net.sessionA, tenant: Net.a, plan: Net.plan)
        }
        #expect(table.session(for: endpoint) == Net.sessionA)
    }

    static let notGranted: [(String, Endpoint)] = [
        ("a port of A's share", Endpoint(.udp, Net.shared, 1500)),
        ("A's share, other protocol's range", Endpoint(.tcp, Net.shared, 8050)),
        ("a port of no one's share", Endpoint(.udp, Net.shared, 3000)),
        ("A's whole address", Endpoint(.udp, Net.addressA, 53)),
        ("the gateway", Endpoint(.udp, Net.gateway, 53)),
        ("port 0 of B's own address", Endpoint(.udp, Net.addressB, 0)),
    ]

    @Test(arguments: notGranted.indices) func bIsRefusedWhatItIsNotGranted(index: Int) {
        var table = BindingTable()
        #expect(throws: ExoError.notGranted, "\(Self.notGranted[index].0)") {
            try table.bind(Self.notGranted[index].1, session: Net.sessionB, tenant: Net.b, plan: Net.plan)
        }
        #expect(table.count == 0)
    }

    @Test func anyPortOfAWholeAddressIsTheOwners() throws {
        var table = BindingTable()
        for port: UInt16 in [1, 53, 80, 65535] {
            try table.bind(Endpoint(.tcp, Net.addressB, port), session: Net.sessionB, tenant: Net.b, plan: Net.plan)
        }
        #expect(table.count == 4)
    }

    @Test func addressBindingsAreForWholeOwnersOnceEach() throws {
        var table = BindingTable()
        #expect(throws: ExoError.notGranted) { try table.bindAddress(Net.addressA, session: Net.sessionB, tenant: Net.b, plan: Net.plan) }
        #expect(throws: ExoError.notGranted) { try table.bindAddress(Net.shared, session: Net.sessionA, tenant: Net.a, plan: Net.plan) }
        #expect(throws: ExoError.notGranted) { try table.bindAddress(Net.gateway, session: Net.sessionA, tenant: Net.a, plan: Net.plan) }
        try table.bindAddress(Net.addressA, session: Net.sessionA, tenant: Net.a, plan: Net.plan)
        #expect(throws: ExoError.endpointInUse) {
            try table.bindAddress(Net.addressA, session: Net.sessionA2, tenant: Net.a, plan: Net.plan)
        }
        #expect(table.session(forAddress: Net.addressA) == Net.sessionA)
    }

    @Test func unbindRemovesOnlyTheCallersBinding() throws {
        var table = Net.bindings()
        let endpoint = Endpoint(.udp, Net.shared, 1500)
        #expect(throws: ExoError.notBound) { try table.unbind(.endpoint(endpoint), session: Net.sessionB) }
        #expect(throws: ExoError.notBound) { try table.unbind(.address(Net.addressA), session: Net.sessionB) }
        #expect(table.session(for: endpoint) == Net.sessionA)
        try table.unbind(.endpoint(endpoint), session: Net.sessionA)
        #expect(table.session(for: endpoint) == nil)
        #expect(throws: ExoError.notBound) { try table.unbind(.endpoint(endpoint), session: Net.sessionA) }
        // Once free, another tenant's grant decides: B still may not take A's port...
        #expect(throws: ExoError.notGranted) { try table.bind(endpoint, session: Net.sessionB, tenant: Net.b, plan: Net.plan) }
        // ...but another session of A may.
        try table.bind(endpoint, session: Net.sessionA2, tenant: Net.a, plan: Net.plan)
        #expect(table.session(for: endpoint) == Net.sessionA2)
    }

    @Test func unbindAllRemovesEverythingOfOneSessionAndNothingElse() {
        var table = Net.bindings()
        let before = table.count
        let removed = table.unbindAll(session: Net.sessionA)
        #expect(Set(removed.map(\.target)) == [
            .address(Net.addressA), .endpoint(Endpoint(.udp, Net.shared, 1500)), .endpoint(Endpoint(.tcp, Net.shared, 8080)),
            .endpoint(Endpoint(.icmp, Net.shared, 150)),
        ])
        #expect(removed.allSatisfy { $0.session == Net.sessionA && $0.tenant == Net.a })
        #expect(table.count == before - 4)
        #expect(table.session(forAddress: Net.addressA) == nil)
        #expect(table.session(for: Endpoint(.udp, Net.addressA, 53)) == Net.sessionA2)
        #expect(table.session(for: Endpoint(.udp, Net.shared, 2500)) == Net.sessionB)
        #expect(table.unbindAll(session: Net.sessionA).isEmpty)
        #expect(table.bindings(of: Net.sessionA).isEmpty)
    }

    @Test func listingsShowEveryBindingInOrder() {
        let table = Net.bindings()
        #expect(table.bindings(of: Net.sessionB).map(\.target) == [
            .address(Net.addressB), .endpoint(Endpoint(.udp, Net.shared, 2500)), .endpoint(Endpoint(.icmp, Net.shared, 250)),
        ])
        #expect(table.all.count == table.count)
        #expect(table.all.map(\.session) == table.all.map(\.session).sorted())
    }
}
