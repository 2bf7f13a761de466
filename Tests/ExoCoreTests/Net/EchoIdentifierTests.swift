// Echo identifiers granted like ports on a shared address (A holds 100-199 and binds 150, B
// holds 200-299 and binds 250): plan, bindings, receive routing, the guard and filters.
import ExoCore
import ExoWire
import Testing

private let g = Net.gateway
private let s = Net.shared

@Suite struct EchoIdentifierTests {
    typealias Case = (String, [UInt8], Delivery)

    @Test func theShareHolderOfAnIdentifierIsFoundAtEveryBoundary() {
        let expected: [(UInt16, TenantID?)] = [(0, nil), (7, nil), (99, nil), (100, Net.a), (199, Net.a), (200, Net.b),
                                               (299, Net.b), (300, nil), (.max, nil)]
        for (id, holder) in expected {
            #expect(Net.plan.shareHolder(.icmp, s, port: id) == holder, "id \(id)")
        }
        // Identifiers and ports are separate spaces: A's udp 1000-1999 grants no identifier 1500.
        #expect(Net.plan.shareHolder(.icmp, s, port: 1500) == nil)
        #expect(Net.plan.shareHolder(.udp, s, port: 150) == nil)
    }

    @Test func overlappingIdentifierSharesAreRefusedButNotAcrossProtocols() {
        let grants = [
            NetworkGrant(tenant: 1, shares: [PortShare(.icmp, s, ports: 100...199)]),
            NetworkGrant(tenant: 2, shares: [PortShare(.icmp, s, ports: 199...300), PortShare(.udp, s, ports: 100...199)]),
        ]
        #expect(throws: AddressPlanError.overlappingShares(.icmp, s, 1, 2)) {
            try AddressPlan(daemonMAC: Net.daemonMAC, grants: grants)
        }
        var fine = grants
        fine[1].shares[0] = PortShare(.icmp, s, ports: 200...300)
        let plan = try? AddressPlan(daemonMAC: Net.daemonMAC, grants: fine)
        #expect(plan?.shareHolder(.icmp, s, port: 150) == 1 && plan?.shareHolder(.udp, s, port: 150) == 2)
        #expect(throws: AddressPlanError.portZero(.icmp, s, 1)) {
            try AddressPlan(daemonMAC: Net.daemonMAC, grants: [NetworkGrant(tenant: 1, shares: [PortShare(.icmp, s, ports: 0...9)])])
        }
    }

    @Test func aTenantBindsOnlyItsIdentifiersAndEachOnce() throws {
        var table = BindingTable()
        try table.bind(Endpoint(.icmp, s, 150), session: Net.sessionA, tenant: Net.a, plan: Net.plan)
        #expect(throws: ExoError.endpointInUse) {
            try table.bind(Endpoint(.icmp, s, 150), session: Net.sessionA2, tenant: Net.a, plan: Net.plan)
        }
        #expect(throws: ExoError.notGranted) {
            try table.bind(Endpoint(.icmp, s, 150), session: Net.sessionB, tenant: Net.b, plan: Net.plan)
        }
        #expect(throws: ExoError.notGranted) {
            try table.bind(Endpoint(.icmp, s, 0), session: Net.sessionA, tenant: Net.a, plan: Net.plan)
        }
        // A udp binding of the same number is another endpoint.
        #expect(throws: ExoError.notGranted) {
            try table.bind(Endpoint(.udp, s, 150), session: Net.sessionA, tenant: Net.a, plan: Net.plan)
        }
        try table.unbind(.endpoint(Endpoint(.icmp, s, 150)), session: Net.sessionA)
        try table.bind(Endpoint(.icmp, s, 150), session: Net.sessionA2, tenant: Net.a, plan: Net.plan)
        #expect(table.session(for: Endpoint(.icmp, s, 150)) == Net.sessionA2)
    }

    static let received: [Case] = [
        ("reply with A's bound id", Frames.echo(request: false, from: g, to: s, id: 150), .tenant(Net.sessionA)),
        ("reply with B's bound id", Frames.echo(request: false, from: g, to: s, id: 250), .tenant(Net.sessionB)),
        ("reply with A's unbound id", Frames.echo(request: false, from: g, to: s, id: 151), .drop(.echoReplyOnSharedAddress)),
        ("reply with nobody's id", Frames.echo(request: false, from: g, to: s, id: 7), .drop(.echoReplyOnSharedAddress)),
        ("request with A's bound id", Frames.echo(from: g, to: s, id: 150), .daemonEcho),
        ("request with B's bound id", Frames.echo(from: g, to: s, id: 250), .daemonEcho),
        ("reply to A's whole address", Frames.echo(request: false, from: g, to: Net.addressA, id: 150), .tenant(Net.sessionA)),
        ("error about A's request", Frames.icmpError(from: g, to: s, quoting: Frames.echo(from: s, to: g, id: 150)),
         .tenant(Net.sessionA)),
        ("time exceeded about B's request",
         Frames.icmpError(.timeExceeded, code: 0, from: g, to: s, quoting: Frames.echo(from: s, to: g, id: 250)), .tenant(Net.sessionB)),
        ("error about a request with A's unbound id", Frames.icmpError(from: g, to: s, quoting: Frames.echo(from: s, to: g, id: 151)),
         .drop(.noBinding)),
        ("error about a reply from the shared address",
         Frames.icmpError(from: g, to: s, quoting: Frames.echo(request: false, from: s, to: g, id: 150)), .drop(.unroutableICMPError)),
        ("error about a request to the shared address (not from it)",
         Frames.icmpError(from: g, to: s, quoting: Frames.echo(from: g, to: s, id: 150)), .drop(.unroutableICMPError)),
    ]

    @Test(arguments: received.indices) func echoToASharedAddressGoesByIdentifier(index: Int) {
        let (name, frame, expected) = Self.received[index]
        #expect(classify(frame) == expected, "\(name)")
    }

    @Test func anIdentifierBindingOnAWholeAddressTakesItsRepliesAheadOfTheAddress() throws {
        var table = Net.bindings()
        try table.bind(Endpoint(.icmp, Net.addressA, 9), session: Net.sessionA2, tenant: Net.a, plan: Net.plan)
        #expect(classify(Frames.echo(request: false, from: g, to: Net.addressA, id: 9), bindings: table) == .tenant(Net.sessionA2))
        #expect(classify(Frames.echo(request: false, from: g, to: Net.addressA, id: 10), bindings: table) == .tenant(Net.sessionA))
        #expect(classify(Frames.echo(from: g, to: Net.addressA, id: 9), bindings: table) == .tenant(Net.sessionA))
    }

    typealias Sent = (String, TenantID, [UInt8], Verdict)
    static let sent: [Sent] = [
        ("A: request with its bound id", Net.a, Frames.echo(from: s, to: g, id: 150), .allow),
        ("A: request with a granted, unbound id", Net.a, Frames.echo(from: s, to: g, id: 199), .allow),
        ("A: request with B's id", Net.a, Frames.echo(from: s, to: g, id: 250), .deny(.echoIdentifierNotGranted)),
        ("B: request with A's id", Net.b, Frames.echo(from: s, to: g, id: 150), .deny(.echoIdentifierNotGranted)),
        ("B: request with its id", Net.b, Frames.echo(from: s, to: g, id: 250), .allow),
        ("A: request with nobody's id", Net.a, Frames.echo(from: s, to: g, id: 300), .deny(.echoIdentifierNotGranted)),
        ("A: reply with its id", Net.a, Frames.echo(request: false, from: s, to: g, id: 150), .deny(.echoFromSharedAddress)),
        ("C: request with A's id", Net.c, Frames.echo(from: s, to: g, id: 150), .deny(.sourceAddressNotOwned)),
        ("A: request with options", Net.a, Frames.withIPOptions(Frames.echo(from: s, to: g, id: 150), Frames.Options.routerAlert),
         .deny(.ipOptions)),
        ("A: request from its whole address, any id", Net.a, Frames.echo(from: Net.addressA, to: g, id: 250), .allow),
    ]

    @Test(arguments: sent.indices) func theGuardLetsOutOnlyRequestsWithTheSendersIdentifiers(index: Int) {
        let (name, tenant, frame, expected) = Self.sent[index]
        #expect(check(frame, from: tenant) == expected, "\(name)")
    }

    static let icmpA = BindingTarget.endpoint(Endpoint(.icmp, Net.shared, 150))

    @Test func filtersOnAnIdentifierBindingMayNotNameAnotherIdentifierOrType() throws {
        let widening: [[FilterAtom]] = [
            [FilterAtom(.transport, offset: 4, width: 2, value: 151)],
            [FilterAtom(.transport, offset: 5, width: 1, value: 151)],
            [FilterAtom(.transport, offset: 0, width: 1, value: 8)],
            [FilterAtom(.transport, offset: 1, width: 1, value: 1)],
            [FilterAtom(.network, offset: 9, width: 1, value: 17)],
        ]
        for atoms in widening {
            #expect(throws: ExoError.filterWidensBinding, "\(atoms)") { try PacketFilter(validating: atoms, for: Self.icmpA) }
        }
        // The identifier itself, the type of a reply, and the sequence number (bytes 6-7)
        // narrow; a udp binding's destination port (bytes 2-3, the checksum here) is free.
        for atoms in [
            [FilterAtom(.transport, offset: 4, width: 2, value: 150)], [FilterAtom(.transport, offset: 0, width: 1, value: 0)],
            [FilterAtom(.transport, offset: 6, width: 2, value: 1)], [FilterAtom(.transport, offset: 2, width: 2, value: 1501)],
        ] {
            #expect(throws: Never.self, "\(atoms)") { try PacketFilter(validating: atoms, for: Self.icmpA) }
        }
    }

    @Test func aFilterOnAnIdentifierBindingNarrowsItsReplies() throws {
        var table = Net.bindings()
        _ = try table.installFilter([FilterAtom(.transport, offset: 6, width: 2, value: 2)], on: Self.icmpA, session: Net.sessionA)
        // Frames.echo sends sequence 1: filtered out, and not passed on to anyone else.
        #expect(classify(Frames.echo(request: false, from: g, to: s, id: 150), bindings: table) == .drop(.filteredOut(Net.sessionA)))
        // Errors quoting A's requests bypass the filters, like errors about its ports.
        #expect(classify(Frames.icmpError(from: g, to: s, quoting: Frames.echo(from: s, to: g, id: 150)), bindings: table)
                == .tenant(Net.sessionA))
    }
}
