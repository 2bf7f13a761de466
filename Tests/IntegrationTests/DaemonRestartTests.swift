// A library-OS application across a daemon restart (docs/EXOS.md §10): udp-echo, started once,
// answers the host's netcat before exokerneld is stopped with SIGTERM, and again after a new
// daemon started on the same configuration, having attached again by itself. An operator's
// kick ends it instead. (With --no-reattach it exits when the daemon dies: UDPEchoTests.)

import Foundation
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root for TAP devices and tenant uids"))
struct DaemonRestartTests {
    @Test(arguments: Backend.allCases)
    func udpEchoAnswersAgainAfterTheDaemonRestartsWithoutBeingRestarted(_ backend: Backend) throws {
        let net = try backend.net(second: 79, prefix: "exorr")
        defer { net.remove() }
        let daemon = try net.daemon()
        defer { daemon.stop() }
        // alice's own address (.2) and a port of the shared one (.10): both come back.
        let owned = try EchoProcess(daemon, tenant: "alice", uid: TestUIDs.alice, address: net.address(2), port: 7)
        defer { owned.stop() }
        let shared = try EchoProcess(daemon, tenant: "bob", uid: TestUIDs.bob, address: net.address(10), port: 5100)
        defer { shared.stop() }
        try owned.waitUntilReady()
        try shared.waitUntilReady()
        #expect(try netcat(net, to: net.address(2), port: 7, payload: "before") == "before", "\(owned.output)")
        #expect(try netcat(net, to: net.address(10), port: 5100, payload: "before") == "before", "\(shared.output)")
        let pids = (owned.process.processIdentifier, shared.process.processIdentifier)

        try daemon.restart()
        for echo in [owned, shared] {
            try Self.eventually(within: 10) { echo.output.contains("attached again") }
        }

        #expect(try netcat(net, to: net.address(2), port: 7, payload: "after") == "after", "\(owned.output)\n\(daemon.log)")
        #expect(
            try netcat(net, to: net.address(10), port: 5100, payload: "after") == "after", "\(shared.output)\n\(daemon.log)")
        #expect(owned.process.isRunning && shared.process.isRunning)
        #expect((owned.process.processIdentifier, shared.process.processIdentifier) == pids)
        #expect(owned.output.contains("lost exokerneld"), "\(owned.output)")
    }

    @Test func aKickEndsUDPEchoForGood() throws {
        let net = try Backend.tap.net(second: 79, prefix: "exork")
        defer { net.remove() }
        let daemon = try net.daemon()
        defer { daemon.stop() }
        let alice = try EchoProcess(daemon, tenant: "alice", uid: TestUIDs.alice, address: net.address(2), port: 7)
        defer { alice.stop() }
        try alice.waitUntilReady()

        let kick = try runCommand(BuildProducts.path("exoctl"), ["--socket", daemon.socketPath, "kick", "--tenant", "alice"])
        #expect(kick.status == 0, "\(kick.stdout)\(kick.stderr)")
        try Self.eventually(within: 5) { !alice.process.isRunning }
        #expect(alice.output.contains("gave up on exokerneld"), "\(alice.output)")
        #expect(alice.output.contains("ended by an operator (exoctl kick"), "\(alice.output)")
        #expect(!alice.output.contains("attached again"), "\(alice.output)")
        // Nor did it come back behind the test's back: alice has no session.
        let tenants = try runCommand(BuildProducts.path("exoctl"), ["--socket", daemon.socketPath, "--json", "tenants"])
        #expect(!tenants.stdout.contains("\"sessions\":1"), "\(tenants.stdout)")
    }

    /// Waits until `condition` holds, or fails after `seconds`.
    static func eventually(within seconds: TimeInterval, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            if Date() > deadline { throw HarnessError("not within \(seconds) s") }
            usleep(20_000)
        }
    }

    /// `printf PAYLOAD | nc -u` from the host kernel's `.1`; returns what came back.
    private func netcat(_ net: any TestNet, to address: String, port: Int, payload: String) throws -> String {
        let r = try net.peerCommand("/bin/sh", ["-c", "printf '%s' \"$0\" | nc -u -w 2 -s \"$1\" \"$2\" \"$3\"",
                                           payload, net.address(1), address, String(port)], timeout: 10)
        return r.stdout
    }
}
