// Echo identifiers granted like ports, end to end: tenants ping the host kernel from the
// shared address with their own identifiers and get their replies; another tenant's
// identifier is refused by the guard; the host's pings of the shared address stay the daemon's.

import Foundation
import Glibc
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root for TAP devices, namespaces and tenant uids"))
struct EchoIdentifierTests {
    @Test(arguments: Backend.allCases)
    func eachTenantPingsFromTheSharedAddressWithItsOwnIdentifiers(_ backend: Backend) throws {
        let net = try backend.net(second: 87, prefix: "exoei")
        defer { net.remove() }
        let daemon = try net.daemon()
        defer { daemon.stop() }
        let shared = net.address(10), host = net.address(1)
        let a = try daemon.attachedTenant("alice", uid: TestUIDs.alice)
        defer { a.quit() }
        let b = try daemon.attachedTenant("bob", uid: TestUIDs.bob)
        defer { b.quit() }
        for (tenant, first) in [(a, 0), (b, 20)] {
            let frames = (first..<(first + 8)).map(String.init).joined(separator: " ")
            try tenant.ok("dp-open 64")
            try tenant.ok("alloc \(frames)")
            try tenant.ok("map \(frames)")
            #expect(try tenant.ok("dp-fill " + (first..<(first + 6)).map(String.init).joined(separator: " ")) == "posted=6")
        }
        // Identifiers bind like ports: only the grantee, once.
        #expect(try b.send("bind icmp \(shared) 150") == "err notGranted")
        try a.ok("bind icmp \(shared) 150")
        #expect(try a.send("bind icmp \(shared) 150") == "err endpointInUse")
        try b.ok("bind icmp \(shared) 250")
        let listing = try DataPathTests.exoctl(daemon, ["bindings", "--json"])
        #expect(listing.contains("\"proto\":\"icmp\"") && listing.contains("\"port\":150")
                && listing.contains("\"port\":250"), "\(listing)")

        // Alice pings the host from the shared address with id 150 and gets its reply.
        try a.ok("dp-send-echo 6 \(shared) \(host) 150 1 alice-ping")
        let reply = try a.ok("dp-recv-echo 3000")
        #expect(reply.hasSuffix("type=0 from=\(host) id=150 seq=1 payload=alice-ping"), "\(reply)\n\(daemon.log)")

        // Bob tries alice's identifier: the guard refuses and counts it; no reply reaches anyone.
        try b.ok("dp-send-echo 26 \(shared) \(host) 150 2 bob-steals")
        #expect(try a.send("dp-recv-echo 500") == "err timeout")
        #expect(try b.send("dp-recv-echo 200") == "err timeout")
        let bobStats = try TapNet.stats(daemon, tenant: "bob")
        #expect(bobStats.drops == ["tx.echoIdentifierNotGranted": 1], "\(bobStats.drops)")

        // Bob's own identifier: the reply reaches bob only.
        try b.ok("dp-send-echo 27 \(shared) \(host) 250 3 bob-ping")
        let bobReply = try b.ok("dp-recv-echo 3000")
        #expect(bobReply.hasSuffix("type=0 from=\(host) id=250 seq=3 payload=bob-ping"), "\(bobReply)\n\(daemon.log)")
        #expect(try a.send("dp-recv-echo 300") == "err timeout")

        // The host pings the shared address: the daemon answers, once, and no tenant sees it.
        let ping = try net.peerCommand("/bin/ping", ["-c", "1", "-W", "2", "-I", net.peerLink, shared], timeout: 10)
        #expect(ping.status == 0, "\(ping.stdout)\(ping.stderr)\n\(daemon.log)")
        #expect(ping.stdout.contains("1 received") && !ping.stdout.contains("DUP"), "\(ping.stdout)")
        #expect(try a.send("dp-recv-echo 300") == "err timeout")
        #expect(try b.send("dp-recv-echo 200") == "err timeout")
        #expect(try TapNet.stats(daemon, tenant: "alice").totalDrops == 0)
    }
}
