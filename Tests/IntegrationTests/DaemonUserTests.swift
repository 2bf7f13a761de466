// The daemon as exokerneld.service runs it: its own uid (not root), CAP_NET_ADMIN and
// CAP_NET_RAW as ambient capabilities and nothing else, no new privileges, the unit's
// descriptor limit and umask — all read from the unit file (ServiceUnitSandbox). On either
// NIC backend it creates or binds its device, serves tenants' traffic, keeps their frames from
// each other, and answers an operator who is only in the operator group. And every system call
// it makes on the way, the metrics endpoint's included, is one the unit's SystemCallFilter= allows.

import Foundation
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root for TAP devices, setpriv and tenant uids"))
struct DaemonUserTests {
    @Test func theUnitRunsTheDaemonAsItsOwnUserWithOnlyTwoCapabilities() throws {
        let sandbox = try ServiceUnitSandbox(unit: "exokerneld.service")
        #expect(sandbox.user == "exokerneld")
        #expect(Set(sandbox.ambientCapabilities) == ["net_admin", "net_raw"])
        #expect(Set(sandbox.boundingCapabilities) == ["net_admin", "net_raw"])
        #expect(sandbox.noNewPrivileges)
        let template = try ServiceUnitSandbox(unit: "exokerneld@.service")
        #expect(template.user == sandbox.user && template.launcher(uid: 1) == sandbox.launcher(uid: 1))
    }

    @Test(arguments: Backend.allCases)
    func aDaemonUnderTheUnitsUserAndCapabilitiesServesTenantsTraffic(_ backend: Backend) throws {
        let sandbox = try ServiceUnitSandbox(unit: "exokerneld.service")
        let net = try backend.net(second: 81, prefix: "exous")
        defer { net.remove() }
        let daemon = try Self.daemon(on: net, launcher: sandbox.launcher(uid: SandboxIDs.daemon))
        defer { daemon.stop() }

        let status = try String(contentsOfFile: "/proc/\(daemon.pid)/status", encoding: .utf8)
        let fields = Self.fields(status)
        let id = SandboxIDs.daemon
        #expect(fields["Uid"] == "\(id)\t\(id)\t\(id)\t\(id)", "\(status)")
        #expect(fields["Gid"] == "\(id)\t\(id)\t\(id)\t\(id)")
        #expect(fields["Groups"] == "")
        let mask = String(format: "%016llx", sandbox.ambientMask)
        for key in ["CapEff", "CapPrm", "CapAmb", "CapBnd"] { #expect(fields[key] == mask, "\(key): \(status)") }
        #expect(fields["NoNewPrivs"] == "1")
        let limits = try String(contentsOfFile: "/proc/\(daemon.pid)/limits", encoding: .utf8)
        #expect(limits.contains("Max open files            \(sandbox.openFiles)                \(sandbox.openFiles)"))
        // The control socket is the daemon's own, mode 0666 despite UMask=0077.
        let socket = try FileManager.default.attributesOfItem(atPath: daemon.socketPath)
        #expect((socket[.ownerAccountID] as? NSNumber)?.uint32Value == SandboxIDs.daemon)
        #expect((socket[.posixPermissions] as? NSNumber)?.intValue == 0o666)

        // Traffic both ways through the device it made (TAP) or bound (AF_PACKET).
        let alice = try EchoProcess(daemon, tenant: "alice", uid: TestUIDs.alice, address: net.address(2), port: 7)
        defer { alice.stop() }
        try alice.waitUntilReady()
        let echoed = try net.peerCommand("/bin/sh", ["-c", "printf unit-user | nc -u -w 2 -s \"$0\" \"$1\" 7",
            net.address(1), net.address(2)], timeout: 10)
        #expect(echoed.stdout == "unit-user", "\(alice.output)\n\(daemon.log)")

        // Frames are the daemon uid's 0600 memfds: a read-only holder cannot upgrade its access.
        let bob = try daemon.attachedTenant("bob", uid: TestUIDs.bob)
        defer { bob.quit() }
        let carol = try daemon.attachedTenant("carol", uid: TestUIDs.carol)
        defer { carol.quit() }
        try bob.ok("alloc 250")
        try bob.ok("map 250")
        try bob.ok("fill 250 9")
        let token = try #require(TenantProcess.value("token", in: try bob.ok("grant 250 r carol")))
        try carol.ok("redeem \(token)")
        try carol.ok("map 250")
        #expect(try carol.ok("read 250") == "byte=9 uniform=true")
        #expect(try carol.send("try-reopen-writable 250").hasPrefix("err errno=13"))

        // An operator who is neither root nor the daemon's uid, only in the operator group.
        let asOperator = try runCommand("/usr/bin/setpriv", [
            "--reuid=\(SandboxIDs.operatorUser)", "--regid=\(SandboxIDs.operatorUser)",
            "--groups=\(SandboxIDs.operatorGroup)", BuildProducts.path("exoctl"), "--socket", daemon.socketPath,
            "stats", "--json",
        ])
        #expect(asOperator.status == 0, "\(asOperator.stderr)")
        #expect(asOperator.stdout.contains("\"alice\""))
        let outsider = try runCommand("/usr/bin/setpriv", [
            "--reuid=\(SandboxIDs.operatorUser)", "--regid=\(SandboxIDs.operatorUser)", "--clear-groups",
            BuildProducts.path("exoctl"), "--socket", daemon.socketPath, "status",
        ])
        #expect(outsider.status != 0, "\(outsider.stdout)")
    }

    @Test func everySystemCallOfTheDaemonIsOneTheUnitsFilterAllows() throws {
        let sandbox = try ServiceUnitSandbox(unit: "exokerneld.service")
        let allowed = try SystemCallFilter(unit: "exokerneld.service")
        let net = try Backend.tap.net(second: 81, prefix: "exosc")
        defer { net.remove() }
        let trace = FileManager.default.temporaryDirectory.appendingPathComponent("exokerneld-strace-\(getpid()).txt").path
        defer { try? FileManager.default.removeItem(atPath: trace) }
        let daemon = try Self.daemon(on: net,
            launcher: ["/usr/bin/strace", "-f", "-qq", "-o", trace] + sandbox.launcher(uid: SandboxIDs.daemon),
            extra: "\n[metrics]\nlisten = \"127.0.0.1:0\"\n")
        // strace is the harness's process; the daemon is its traced child (the launcher execs).
        defer { Self.stopTraced(daemon) }
        let alice = try EchoProcess(daemon, tenant: "alice", uid: TestUIDs.alice, address: net.address(2), port: 7)
        defer { alice.stop() }
        try alice.waitUntilReady()
        let echoed = try net.peerCommand("/bin/sh", ["-c", "printf filtered | nc -u -w 2 -s \"$0\" \"$1\" 7",
            net.address(1), net.address(2)], timeout: 10)
        #expect(echoed.stdout == "filtered")
        _ = try DataPathTests.exoctl(daemon, ["stats"])
        _ = try DataPathTests.exoctl(daemon, ["nic"])
        // The metrics endpoint's calls too: listen, accept, read, send, shutdown.
        let scrape = try runCommand("/usr/bin/curl", ["-sS", "--fail", try MetricsEndpointTests.metricsURL(in: daemon)])
        #expect(scrape.stdout.contains("exokernel_tenant_rx_packets_total{tenant=\"alice\"}"), "\(scrape.stderr)")
        alice.stop()
        Self.stopTraced(daemon)

        let used = try SystemCallFilter.calls(inTrace: trace, after: BuildProducts.path("exokerneld"))
        for call in ["memfd_create", "sendmsg", "ioctl", "accept4", "shutdown"] { #expect(used.contains(call), "\(used.sorted())") }
        let refused = used.subtracting(allowed.names)
        #expect(refused.isEmpty, "the unit's SystemCallFilter= refuses \(refused.sorted())")
    }

    /// A daemon with the network's tenants (plus carol, for frame sharing) and `[nic]`, run by
    /// `launcher` in a directory the daemon's uid owns; operators are group SandboxIDs.operatorGroup.
    static func daemon(on net: any TestNet, launcher: [String], extra: String = "") throws -> DaemonHarness {
        var environment: [String: String] = [:]
        let nic: String
        switch net {
        case let tap as TapNet:
            environment["EXOKERNEL_TAP"] = tap.tap
            nic = tap.nic
        case let veth as VethNet: nic = veth.nic
        default: throw HarnessError("unknown network \(net)")
        }
        return try DaemonHarness(
            tenants: [("alice", TestUIDs.alice, 64), ("bob", TestUIDs.bob, 64), ("carol", TestUIDs.carol, 64)],
            daemonExtra: "operator_group = \(SandboxIDs.operatorGroup)", environment: environment,
            launcher: launcher, directoryOwner: SandboxIDs.daemon, tenantExtra: net.tenantExtra, tail: nic + extra)
    }

    /// SIGTERM to the traced daemon (strace's child), then the harness's own stop.
    static func stopTraced(_ daemon: DaemonHarness) {
        let children = (try? String(contentsOfFile: "/proc/\(daemon.pid)/task/\(daemon.pid)/children", encoding: .utf8)) ?? ""
        for child in children.split(separator: " ").compactMap({ Int32($0) }) { kill(child, SIGTERM) }
        let deadline = Date().addingTimeInterval(5)
        while daemon.process.isRunning && Date() < deadline { usleep(20_000) }
        daemon.stop()
    }

    /// "Key:\tvalue" lines of a /proc status file.
    static func fields(_ status: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in status.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            result[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return result
    }
}
