// What filters do to delivery: they only narrow their own binding, first-installed wins,
// the transport base follows IHL, and 10,000 filters of few shapes make a small trie.
import ExoCore
import ExoWire
import ExoPacket
import Testing

@Suite struct FilterMatchTests {
    static let udpA = BindingTarget.endpoint(Endpoint(.udp, Net.shared, 1500))

    static func frame(sourcePort: UInt16, firstByte: UInt8 = 0x41) -> [UInt8] {
        var frame = Frames.udp(from: Net.gateway, sourcePort, to: Net.shared, 1500)
        frame.removeLast(2)
        frame += [firstByte, 0x42, 0x43, 0x44]
        RandomFilters.fixLengths(&frame)
        return frame
    }

    static func match(_ table: BindingTable, _ target: BindingTarget, _ frame: [UInt8]) -> FilterID? {
        frame.withUnsafeBytes { table.filterMatch(on: target, PacketBytes(unsafeBuffer: $0)) }
    }

    @Test func aFilteredBindingDeliversOnlyWhatItsFiltersMatch() throws {
        var table = Net.bindings()
        _ = try table.installFilter([FilterAtom(.transport, offset: 0, width: 2, value: 5000)], on: Self.udpA, session: Net.sessionA)
        #expect(classify(Self.frame(sourcePort: 5000), bindings: table) == .tenant(Net.sessionA))
        #expect(classify(Self.frame(sourcePort: 5001), bindings: table) == .drop(.filteredOut(Net.sessionA)))
        // B's binding, without filters, is untouched.
        #expect(classify(Frames.udp(from: Net.gateway, 5001, to: Net.shared, 2500), bindings: table) == .tenant(Net.sessionB))
    }

    @Test func aRejectedFrameIsNotPassedOnToTheAddressBinding() throws {
        var table = Net.bindings()
        let udp53 = BindingTarget.endpoint(Endpoint(.udp, Net.addressA, 53))
        _ = try table.installFilter([FilterAtom(.transport, offset: 0, width: 2, value: 5000)], on: udp53, session: Net.sessionA2)
        let frame = Frames.udp(from: Net.gateway, 7, to: Net.addressA, 53)
        #expect(classify(frame, bindings: table) == .drop(.filteredOut(Net.sessionA2)))
    }

    @Test func icmpErrorsAboutAFilteredEndpointsFlowsBypassItsFilters() throws {
        var table = Net.bindings()
        _ = try table.installFilter([FilterAtom(.transport, offset: 0, width: 2, value: 5000)], on: Self.udpA, session: Net.sessionA)
        let sent = Frames.udp(from: Net.shared, 1500, to: Net.gateway, 7)
        let error = Frames.icmpError(from: Net.gateway, to: Net.shared, quoting: sent)
        #expect(classify(error, bindings: table) == .tenant(Net.sessionA))
    }

    @Test func addressBindingFiltersSeeARPAsLinkBytes() throws {
        var table = Net.bindings()
        let addrA = BindingTarget.address(Net.addressA)
        _ = try table.installFilter([FilterAtom(.network, offset: 9, width: 1, value: 1)], on: addrA, session: Net.sessionA)
        let arp = Frames.arp(senderMAC: Net.hostMAC, sender: Net.gateway, target: Net.addressA)
        #expect(classify(Frames.echo(from: Net.gateway, to: Net.addressA), bindings: table) == .tenant(Net.sessionA))
        // ARP has no IPv4 header: the network atom cannot match it; an ARP filter can.
        #expect(classify(arp, bindings: table) == .drop(.filteredOut(Net.sessionA)))
        _ = try table.installFilter([FilterAtom(.link, offset: 12, width: 2, value: 0x0806)], on: addrA, session: Net.sessionA)
        #expect(classify(arp, bindings: table) == .tenant(Net.sessionA))
    }

    @Test func theFirstInstalledMatchingFilterIsTheMatch() throws {
        var table = Net.bindings()
        let byte = try table.installFilter([FilterAtom(.transport, offset: 8, width: 1, value: 0x41)], on: Self.udpA, session: Net.sessionA)
        let port = try table.installFilter([FilterAtom(.transport, offset: 0, width: 2, value: 5000)], on: Self.udpA, session: Net.sessionA)
        #expect(Self.match(table, Self.udpA, Self.frame(sourcePort: 5000)) == byte)
        #expect(Self.match(table, Self.udpA, Self.frame(sourcePort: 5000, firstByte: 0)) == port)
        #expect(Self.match(table, Self.udpA, Self.frame(sourcePort: 1, firstByte: 0)) == nil)
        try table.removeFilter(byte, session: Net.sessionA)
        #expect(Self.match(table, Self.udpA, Self.frame(sourcePort: 5000)) == port)
    }

    @Test func theTransportBaseMovesWithIPOptions() throws {
        var table = Net.bindings()
        let id = try table.installFilter([FilterAtom(.transport, offset: 8, width: 1, value: 0x41)], on: Self.udpA, session: Net.sessionA)
        var frame = Self.frame(sourcePort: 5000)
        RandomFilters.addOptions(&frame, words: 2)
        #expect(frame[14] == 0x47)
        #expect(Self.match(table, Self.udpA, frame) == id)
        // The same byte counted from the network base is an option byte there.
        let fixed = try table.installFilter([FilterAtom(.network, offset: 28, width: 1, value: 0x41)], on: Self.udpA, session: Net.sessionA)
        try table.removeFilter(id, session: Net.sessionA)
        #expect(Self.match(table, Self.udpA, frame) == nil)
        #expect(Self.match(table, Self.udpA, Self.frame(sourcePort: 1)) == fixed)
    }

    @Test func truncatedFramesMatchNoAtomPastTheirEnd() throws {
        var table = Net.bindings()
        let id = try table.installFilter([FilterAtom(.transport, offset: 11, width: 1, value: 0x44)], on: Self.udpA, session: Net.sessionA)
        let frame = Self.frame(sourcePort: 5000)
        #expect(Self.match(table, Self.udpA, frame) == id)
        #expect(Self.match(table, Self.udpA, Array(frame.dropLast())) == nil)
        #expect(Self.match(table, Self.udpA, Array(frame.prefix(13))) == nil)
        #expect(Self.match(table, Self.udpA, []) == nil)
    }

    @Test func tenThousandFiltersOfTwoShapesMakeATrieOfTwoShapesPerLevel() throws {
        var table = BindingTable(filterQuotaPerSession: 20_000)
        try table.bind(Endpoint(.udp, Net.shared, 1500), session: Net.sessionA, tenant: Net.a, plan: Net.plan)
        var filters: [[FilterAtom]] = []
        for i in 0..<10_000 {
            let port = FilterAtom(.transport, offset: 0, width: 2, value: UInt32(i))
            let byte = FilterAtom(.transport, offset: 8, width: 1, value: UInt32(i % 256))
            filters.append(i % 2 == 0 ? [port] : [port, byte])
        }
        let ids = try table.installFilters(filters, on: Self.udpA, session: Net.sessionA)
        #expect(ids.count == 10_000)
        let trie = FilterTrie(table.installedFilters.map { ($0.id, $0.filter) })
        // Root: one shape edge (source port); below it at most one more shape.
        #expect(trie.edgeCount == 1 + 5_000)
        #expect(Self.match(table, Self.udpA, Self.frame(sourcePort: 4242)) == ids[4242])
        #expect(Self.match(table, Self.udpA, Self.frame(sourcePort: 4243, firstByte: UInt8(4243 % 256))) == ids[4243])
        #expect(Self.match(table, Self.udpA, Self.frame(sourcePort: 4243, firstByte: 0)) == nil)
        #expect(Self.match(table, Self.udpA, Self.frame(sourcePort: 10_001)) == nil)
    }
}
