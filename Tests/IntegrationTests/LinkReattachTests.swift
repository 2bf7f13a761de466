// nic.on_link_loss = "reattach": the link is deleted under a running daemon with a bound
// tenant, and comes back (a TAP made again by the daemon at once, with its MAC; a veth pair
// the test creates again). The tenant's session, frames and binding survive, a datagram
// from the peer reaches it again, and exoctl nic counts one reattachment.

import Foundation
import Testing

@Suite(.enabled(if: getuid() == 0, "needs root for TAP devices, veth pairs and namespaces"))
struct LinkReattachTests {
    @Test func aDeletedTapIsMadeAgainWithItsMACAndTheBoundTenantReceivesAgain() throws {
        let net = TapNet(second: 81, tapPrefix: "exolr")
        let daemon = try DaemonHarness(
            environment: ["EXOKERNEL_TAP": net.tap], tenantExtra: net.tenantExtra,
            tail: net.nic + "on_link_loss = \"reattach\"\n")
        defer { daemon.stop() }
        let a = try daemon.attachedTenant("alice", uid: TestUIDs.alice)
        defer { a.quit() }
        try a.openReceiving(frames: "0 1 2 3")
        try a.ok("bind udp \(net.address(10)) 5000")
        try expectDatagram("before", from: net, to: a, daemon: daemon)
        let mac = try macAddress(net.tap)

        // Twice: the TAP made again is watched like the first (its own deletion is seen too).
        for round in 1...2 {
            try ip(["link", "del", net.tap])
            try waitFor("link \(net.tap) reattached (ifindex", times: round, in: daemon)
            #expect(try macAddress(net.tap) == mac, "the tenants' gateway MAC changed")
            try expectDatagram("after \(round)", from: net, to: a, daemon: daemon)
            let nic = try nicReport(daemon)
            #expect(nic["reattachments"] as? Int == round, "\(nic)")
            #expect(nic["linkDeleted"] as? Bool == false, "\(nic)")
        }
        #expect(daemon.log.contains("<4>link \(net.tap) was deleted under the daemon"), "\(daemon.log)")
    }

    @Test func aDeletedVethIsReopenedWhenItReturnsAndTheBoundTenantReceivesAgain() throws {
        let net = try VethNet(second: 81, prefix: "exolq")
        defer { net.remove() }
        let daemon = try DaemonHarness(tenantExtra: net.tenantExtra, tail: net.nic + "on_link_loss = \"reattach\"\n")
        defer { daemon.stop() }
        let a = try daemon.attachedTenant("alice", uid: TestUIDs.alice)
        defer { a.quit() }
        try a.openReceiving(frames: "0 1 2 3")
        try a.ok("bind udp \(net.address(10)) 5000")
        try expectDatagram("before", from: net, to: a, daemon: daemon)

        try ip(["link", "del", net.daemonLink])
        try waitFor("link \(net.daemonLink) was deleted under the daemon", in: daemon)
        let gone = try nicReport(daemon)
        #expect(gone["linkDeleted"] as? Bool == true, "\(gone)")
        #expect(gone["reattachments"] as? Int == 0, "\(gone)")

        try net.recreatePair()
        try waitFor("link \(net.daemonLink) reattached", in: daemon)
        try expectDatagram("after", from: net, to: a, daemon: daemon)
        let back = try nicReport(daemon)
        #expect(back["reattachments"] as? Int == 1, "\(back)")
        #expect(back["linkDeleted"] as? Bool == false, "\(back)")
        #expect(back["isUp"] as? Bool == true, "\(back)")
    }

    /// The peer sends `text` to the tenant's binding until the tenant receives it (the first
    /// may wait for ARP on a link just made), for at most a few tries.
    private func expectDatagram(_ text: String, from net: some TestNet, to tenant: TenantProcess, daemon: DaemonHarness) throws {
        let peer = try net.peerSocket()
        var got = ""
        for _ in 0..<3 {
            try peer.send(text, to: net.address(10), port: 5000)
            got = (try? tenant.ok("dp-recv 2000")) ?? ""
            if got.hasSuffix("payload=\(text)") { return }
        }
        Issue.record("the tenant never received '\(text)' (last: \(got))\n\(daemon.log)")
    }

    private func nicReport(_ daemon: DaemonHarness) throws -> [String: Any] {
        let r = try runCommand(BuildProducts.path("exoctl"), ["nic", "--json", "--socket", daemon.socketPath])
        guard r.status == 0 else { throw HarnessError("exoctl nic: \(r.stderr)") }
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] ?? [:]
    }

    private func macAddress(_ link: String) throws -> String {
        try String(contentsOfFile: "/sys/class/net/\(link)/address", encoding: .utf8)
    }

    private func ip(_ arguments: [String]) throws {
        let r = try runCommand("/usr/sbin/ip", arguments)
        guard r.status == 0 else { throw HarnessError("ip \(arguments.joined(separator: " ")): \(r.stderr)") }
    }

    private func waitFor(_ text: String, times: Int = 1, in daemon: DaemonHarness) throws {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if daemon.log.components(separatedBy: text).count > times { return }
            usleep(20_000)
        }
        throw HarnessError("daemon never logged '\(text)': \(daemon.log)")
    }
}
