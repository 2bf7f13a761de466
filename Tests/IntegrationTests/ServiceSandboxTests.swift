// The daemon runs under what exokerneld.service gives it: only CAP_NET_ADMIN and CAP_NET_RAW,
// no new privileges, and the unit's descriptor limit. (systemd-analyze verify of the units
// themselves runs in ExoDaemonTests.)

import Foundation
import Testing

@Suite(.enabled(if: getuid() == 0, "integration tests run as root"))
struct ServiceSandboxTests {
    @Test func daemonServesTenantsWithOnlyTheUnitsCapabilitiesAndLimits() throws {
        let daemon = try DaemonHarness(launcher: [
            "/usr/bin/prlimit", "--nofile=20000:20000",
            "/usr/bin/setpriv", "--bounding-set=-all,+net_admin,+net_raw", "--inh-caps=-all",
            "--no-new-privs",
        ])
        defer { daemon.stop() }
        let status = try String(contentsOfFile: "/proc/\(daemon.pid)/status", encoding: .utf8)
        let effective = status.split(separator: "\n").first { $0.hasPrefix("CapEff:") }
        // CAP_NET_ADMIN is bit 12, CAP_NET_RAW bit 13.
        #expect(effective?.hasSuffix("0000000000003000") == true, "\(effective ?? "no CapEff")")
        #expect(status.contains("NoNewPrivs:\t1"))
        let limits = try String(contentsOfFile: "/proc/\(daemon.pid)/limits", encoding: .utf8)
        #expect(limits.contains("Max open files            20000                20000"))

        let a = try daemon.attachedTenant("alice", uid: TestUIDs.alice)
        defer { a.quit() }
        let b = try daemon.attachedTenant("bob", uid: TestUIDs.bob)
        defer { b.quit() }
        try a.ok("alloc 1")
        try a.ok("map 1")
        try a.ok("fill 1 7")
        let token = try #require(TenantProcess.value("token", in: try a.ok("grant 1 r bob")))
        try b.ok("redeem \(token)")
        try b.ok("map 1")  // the read-only reopening works without CAP_DAC_OVERRIDE
        #expect(try b.ok("read 1") == "byte=7 uniform=true")
        #expect(try b.send("try-reopen-writable 1").hasPrefix("err errno=13"))
    }
}
