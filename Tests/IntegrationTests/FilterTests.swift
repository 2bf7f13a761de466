// Filters end to end: alice narrows her UDP binding to datagrams whose first payload byte
// is 'A'; the host's own socket sends matches and misses through the daemon's TAP.

import Foundation
import Glibc
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root for TAP devices and tenant uids"))
struct FilterTests {
    static func filters(_ daemon: DaemonHarness) throws -> [[String: Any]] {
        let text = try DataPathTests.exoctl(daemon, ["filters", "--json"])
        guard let root = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            let list = root["filters"] as? [[String: Any]]
        else { throw HarnessError("unexpected filters: \(text)") }
        return list
    }

    /// Polls `exoctl filters` until it lists `count` filters (the daemon ends a session
    /// when it sees the hang-up, a moment after the tenant quits).
    static func waitForFilters(_ daemon: DaemonHarness, count: Int) throws -> Int {
        var listed = try filters(daemon).count
        for _ in 0..<100 where listed != count {
            usleep(20_000)
            listed = try filters(daemon).count
        }
        return listed
    }

    @Test func aFilterNarrowsAliceBindingAndVanishesWithItAndWithHerSession() throws {
        let net = TapNet(second: 86, tapPrefix: "exofl")
        let daemon = try net.daemon()
        defer { daemon.stop() }
        let a = try daemon.attachedTenant("alice", uid: TestUIDs.alice)
        defer { a.quit() }
        let b = try daemon.attachedTenant("bob", uid: TestUIDs.bob)
        defer { b.quit() }
        try a.ok("dp-open 64")
        try b.ok("dp-open 64")
        try a.ok("alloc 0 1 2 3 4 5 6 7")
        try a.ok("map 0 1 2 3 4 5 6 7")
        try a.ok("dp-fill 0 1 2 3 4 5 6 7")
        let endpoint = "udp \(net.address(10)) 5000"
        try a.ok("bind \(endpoint)")
        try b.ok("bind udp \(net.address(10)) 5100")

        // Refusals, each with its code: widening the binding (another port, another
        // address), a binding alice does not hold, bob on alice's binding, a bad width.
        #expect(try a.send("filter-add \(endpoint) transport+2/2=5001") == "err filterWidensBinding")
        #expect(try a.send("filter-add \(endpoint) network+16/4=0x0a000001") == "err filterWidensBinding")
        #expect(try a.send("filter-add udp \(net.address(10)) 5100 transport+8/1=0x41") == "err notBound")
        #expect(try b.send("filter-add \(endpoint) transport+8/1=0x41") == "err notBound")
        #expect(try a.send("filter-add \(endpoint) transport+8/3=0x41") == "err filterBadAtom")
        #expect(try a.send("filter-remove 12345") == "err noSuchFilter")

        let installed = try a.ok("filter-add \(endpoint) transport+8/1=0x41 transport+2/2=5000")
        #expect(installed.hasPrefix("id="), "\(installed)")
        let id = String(installed.dropFirst(3))

        // A match arrives; a miss does not, and is counted; the next match still arrives.
        let host = try UDPSocket(address: net.address(1), port: 0)
        try host.send("A-first", to: net.address(10), port: 5000)
        #expect(try a.ok("dp-recv 3000").hasSuffix("payload=A-first"), "\(daemon.log)")
        try host.send("B-miss", to: net.address(10), port: 5000)
        try host.send("A-second", to: net.address(10), port: 5000)
        #expect(try a.ok("dp-recv 3000").hasSuffix("payload=A-second"))
        #expect(try a.send("dp-recv 300") == "err timeout")
        #expect(try TapNet.stats(daemon, tenant: "alice").drops["rx.filteredOut"] == 1)
        #expect(try TapNet.stats(daemon, tenant: "bob").drops["rx.filteredOut"] == nil)

        // exoctl lists it: tenant, session, binding, id, atoms (sorted by shape).
        let listed = try Self.filters(daemon)
        #expect(listed.count == 1)
        let entry = try #require(listed.first)
        #expect(entry["tenant"] as? String == "alice")
        #expect((entry["filterID"] as? NSNumber)?.stringValue == id)
        #expect((entry["binding"] as? [String: Any])?["port"] as? Int == 5000)
        let atoms = (entry["atoms"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
        #expect(atoms == ["transport+2/2&0xffff=0x1388", "transport+8/1&0xff=0x41"], "\(entry)")

        // Removing the filter lets everything through again; unbinding drops the filters.
        try a.ok("filter-remove \(id)")
        try host.send("C-unfiltered", to: net.address(10), port: 5000)
        #expect(try a.ok("dp-recv 3000").hasSuffix("payload=C-unfiltered"))
        try a.ok("filter-add \(endpoint) transport+8/1=0x41")
        #expect(try Self.filters(daemon).count == 1)
        try a.ok("unbind \(endpoint)")
        #expect(try Self.filters(daemon).isEmpty)

        // A filter dies with its session.
        try a.ok("bind \(endpoint)")
        try a.ok("filter-add \(endpoint) transport+8/1=0x41")
        #expect(try Self.filters(daemon).count == 1)
        a.quit()
        #expect(try Self.waitForFilters(daemon, count: 0) == 0)
    }
}
