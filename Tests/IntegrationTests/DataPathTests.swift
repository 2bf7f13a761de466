// The data path end to end: a real daemon on its TAP (or on a veth end, AF_PACKET), tenants
// open rings and bind, the host kernel's UDP sockets talk to them, and the egress guard
// stops a spoofing tenant.

import Foundation
import Glibc
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root for TAP devices and tenant uids"))
struct DataPathTests {
    static func linkExists(_ name: String) throws -> Bool {
        try runCommand("/usr/sbin/ip", ["link", "show", name]).status == 0
    }

    @Test(arguments: Backend.allCases)
    func theHostReachesABoundTenantAndASpoofedFrameNeverReachesTheHost(_ backend: Backend) throws {
        let net = try backend.net(second: 77, prefix: "exodp")
        defer { net.remove() }
        let daemon = try net.daemon()
        defer { daemon.stop() }
        #expect(try Self.linkExists(net.daemonLink), "\(daemon.log)")
        let a = try daemon.attachedTenant("alice", uid: TestUIDs.alice)
        defer { a.quit() }
        let b = try daemon.attachedTenant("bob", uid: TestUIDs.bob)
        defer { b.quit() }
        #expect(try a.send("bind udp \(net.address(10)) 5000") == "err noDataPath")
        let opened = try a.ok("dp-open 64")
        // The ring region arrives sealed (seal, shrink, grow) and 0600, like every frame.
        #expect(opened == "fds=3 seals=7 mode=600", "\(opened)")
        #expect(try a.send("dp-open 64") == "err dataPathAlreadyOpen")
        try b.ok("dp-open 64")

        // A receives into frames 0-7; B sends from 20-21.
        try a.ok("alloc 0 1 2 3 4 5 6 7")
        try a.ok("map 0 1 2 3 4 5 6 7")
        #expect(try a.ok("dp-fill 0 1 2 3 4 5 6 7") == "posted=8")
        try a.ok("bind udp \(net.address(10)) 5000")
        // B cannot take A's endpoint (not granted to B), nor can another session of A's own
        // tenant (already bound), nor B an address it was not granted.
        #expect(try b.send("bind udp \(net.address(10)) 5000") == "err notGranted")
        #expect(try b.send("bind addr \(net.address(2))") == "err notGranted")
        let a2 = try TenantProcess(socketPath: daemon.socketPath, uid: TestUIDs.alice)
        defer { a2.quit() }
        try a2.ok("attach alice")
        try a2.ok("dp-open 8")
        #expect(try a2.send("bind udp \(net.address(10)) 5000") == "err endpointInUse")
        try b.ok("bind udp \(net.address(10)) 5100")
        #expect(try b.send("bind udp \(net.address(10)) 5100") == "err endpointInUse")

        // The host sends from a real socket; A receives exactly that datagram.
        let host = try net.peerSocket()
        try host.send("hello-alice", to: net.address(10), port: 5000)
        let received = try a.ok("dp-recv 3000")
        #expect(received.hasSuffix("from=\(net.address(1)):\(host.port) port=5000 payload=hello-alice"), "\(received)\n\(daemon.log)")

        // B spoofs A's address: the guard drops it. B's own frame reaches the host.
        let listener = try net.peerSocket()
        try b.ok("alloc 20 21")
        try b.ok("map 20 21")
        try b.ok("dp-send-udp 20 \(net.address(2)) 5000 \(net.address(1)) \(listener.port) spoofed")
        try b.ok("dp-send-udp 21 \(net.address(10)) 5100 \(net.address(1)) \(listener.port) valid")
        #expect(try listener.receive(timeoutMilliseconds: 3000) == "valid")
        #expect(try listener.receive(timeoutMilliseconds: 500) == nil)
        #expect(try b.ok("dp-completions").contains("21"))

        // exoctl reports the drop, the bindings and the NIC.
        let stats = try Self.exoctl(daemon, ["stats", "--json"])
        #expect(stats.contains("\"tx.sourceAddressNotOwned\":1"), "\(stats)")
        let bindings = try Self.exoctl(daemon, ["bindings", "--json", "--tenant", "alice"])
        #expect(bindings.contains("\"port\":5000") && !bindings.contains("5100"), "\(bindings)")
        let nic = try Self.exoctl(daemon, ["nic", "--json"])
        #expect(nic.contains("\"name\":\"\(net.daemonLink)\""), "\(nic)")
        // The same through the raw protocol (the test client as operator).
        let op = try TenantProcess(socketPath: daemon.socketPath, uid: nil)
        defer { op.quit() }
        try op.ok("attach-operator")
        #expect(try op.ok("op-stats").contains("DropCount(reason: \"tx.sourceAddressNotOwned\", count: 1)"))
    }

    static func exoctl(_ daemon: DaemonHarness, _ arguments: [String]) throws -> String {
        let result = try runCommand(BuildProducts.path("exoctl"), arguments + ["--socket", daemon.socketPath])
        guard result.status == 0 else { throw HarnessError("exoctl \(arguments) failed: \(result.stderr)") }
        return result.stdout
    }

    @Test func sigkillOfTheDaemonLeavesNoTAPBehind() throws {
        let net = TapNet(second: 77, tapPrefix: "exodp")
        let daemon = try net.daemon()
        defer { daemon.stop() }
        #expect(try Self.linkExists(net.tap))
        daemon.kill9()
        var gone = false
        for _ in 0..<100 where !gone {
            gone = try !Self.linkExists(net.tap)
            if !gone { usleep(20_000) }
        }
        #expect(gone)
    }
}
