// The link under a running daemon: set down, up again, then deleted (a TAP, or the veth end an
// AF_PACKET daemon is bound to). The daemon reports each change, keeps serving its control
// socket, does not spin on a dead descriptor, and a new link works after a restart.

import Foundation
import Testing

@Suite(.enabled(if: getuid() == 0, "needs root for TAP devices, veth pairs and namespaces"))
struct LinkEventsTests {
    @Test func linkDownAndDeletionAreReportedAndTheDaemonKeepsServing() throws {
        let net = TapNet(second: 81, tapPrefix: "exoln")
        let daemon = try net.daemon()
        defer { daemon.stop() }
        try ip(["link", "set", net.tap, "down"])
        try waitFor("link \(net.tap): down", in: daemon)
        try ip(["link", "set", net.tap, "up"])
        try waitFor("link \(net.tap): up", in: daemon)
        try ip(["link", "del", net.tap])
        try waitFor("was deleted under the daemon", in: daemon)

        // Still serving: a tenant attaches, and exoctl reports the link as gone.
        let a = try daemon.attachedTenant("alice", uid: TestUIDs.alice)
        defer { a.quit() }
        #expect(try a.ok("allocany 1").hasPrefix("frames="))
        let nic = try runCommand(BuildProducts.path("exoctl"), ["nic", "--json", "--socket", daemon.socketPath])
        #expect(nic.status == 0, "\(nic.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(nic.stdout.utf8)) as? [String: Any]
        let downs = (report?["linkDownEvents"] as? Int) ?? ((report?["nic"] as? [String: Any])?["linkDownEvents"] as? Int) ?? 0
        #expect(downs >= 2, "\(nic.stdout)")

        // Not spinning on the dead device: a spinning daemon burns a whole CPU (about 100
        // ticks a second; seen before the fix). The bound leaves room for a loaded CI machine.
        let before = try cpuTicks(daemon.pid)
        usleep(2_000_000)
        let used = try cpuTicks(daemon.pid) - before
        #expect(used < 120, "daemon used \(used) clock ticks in 2 s after its link was deleted")
        #expect(kill(daemon.pid, 0) == 0)
    }

    @Test
    func deletingTheVethUnderTheDaemonIsReportedAndANewVethWorksAfterARestart() throws {
        let first = try VethNet(second: 81, prefix: "exolv")
        defer { first.remove() }
        let daemon = try first.daemon()
        defer { daemon.stop() }
        try ip(["link", "del", first.daemonLink])
        try waitFor("link \(first.daemonLink) was deleted under the daemon", in: daemon)

        // Reported through exoctl too, and the control socket still serves tenants.
        let a = try daemon.attachedTenant("alice", uid: TestUIDs.alice)
        defer { a.quit() }
        #expect(try a.ok("allocany 1").hasPrefix("frames="))
        let nic = try runCommand(BuildProducts.path("exoctl"), ["nic", "--json", "--socket", daemon.socketPath])
        #expect(nic.status == 0, "\(nic.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(nic.stdout.utf8)) as? [String: Any]
        let downs = (report?["linkDownEvents"] as? Int) ?? ((report?["nic"] as? [String: Any])?["linkDownEvents"] as? Int) ?? 0
        #expect(downs >= 1, "\(nic.stdout)")
        let before = try cpuTicks(daemon.pid)
        usleep(2_000_000)
        let used = try cpuTicks(daemon.pid) - before
        #expect(used < 120, "daemon used \(used) clock ticks in 2 s after its veth was deleted")
        a.quit()
        #expect(daemon.stop() == 0, "\(daemon.log)")

        // A new pair, a restarted daemon: the peer reaches a bound tenant again.
        let second = try VethNet(second: 81, prefix: "exolv")
        defer { second.remove() }
        let restarted = try second.daemon()
        defer { restarted.stop() }
        let b = try restarted.attachedTenant("alice", uid: TestUIDs.alice)
        defer { b.quit() }
        try b.openReceiving(frames: "0 1 2 3")
        try b.ok("bind udp \(second.address(10)) 5000")
        let peer = try second.peerSocket()
        try peer.send("after-restart", to: second.address(10), port: 5000)
        let got = try b.ok("dp-recv 3000")
        #expect(got.hasSuffix("port=5000 payload=after-restart"), "\(got)\n\(restarted.log)")
    }

    private func ip(_ arguments: [String]) throws {
        let r = try runCommand("/usr/sbin/ip", arguments)
        guard r.status == 0 else { throw HarnessError("ip \(arguments.joined(separator: " ")): \(r.stderr)") }
    }

    @Test
    func withOnLinkLossExitADeletedLinkEndsTheSessionsAndTheDaemonExitsWithAFailure() throws {
        let net = try VethNet(second: 81, prefix: "exole")
        defer { net.remove() }
        let daemon = try DaemonHarness(tenantExtra: net.tenantExtra, tail: net.nic + "on_link_loss = \"exit\"\n")
        defer { daemon.stop() }
        let a = try daemon.attachedTenant("alice", uid: TestUIDs.alice)
        defer { a.quit() }
        #expect(try a.ok("allocany 1").hasPrefix("frames="))
        try ip(["link", "del", net.daemonLink])
        // Exit status 1 (systemd's Restart=on-failure restarts it), the reason at error
        // priority (<3>), the tenant's session ended, the socket file removed.
        let deadline = Date().addingTimeInterval(10)
        while daemon.process.isRunning && Date() < deadline { usleep(20_000) }
        #expect(!daemon.process.isRunning, "\(daemon.log)")
        guard !daemon.process.isRunning else { return }
        #expect(daemon.process.terminationStatus == 1, "\(daemon.log)")
        #expect(daemon.log.contains("<3>link \(net.daemonLink) was deleted (nic.on_link_loss = \"exit\")"), "\(daemon.log)")
        #expect(!FileManager.default.fileExists(atPath: daemon.socketPath))
        #expect((try? a.ok("allocany 1")) == nil)
    }

    private func waitFor(_ text: String, in daemon: DaemonHarness) throws {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if daemon.log.contains(text) { return }
            usleep(20_000)
        }
        throw HarnessError("daemon never logged '\(text)': \(daemon.log)")
    }

    /// utime + stime of a process, in clock ticks (/proc/PID/stat fields 14 and 15).
    private func cpuTicks(_ pid: Int32) throws -> Int {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        let fields = stat[stat.range(of: ")")!.upperBound...].split(separator: " ")
        return Int(fields[11])! + Int(fields[12])!
    }
}
