// A tenant application started as root keeps no root thread: every thread of frames-demo and
// udp-echo, main thread included, runs as the tenant's uid and gid with no capability
// (/proc/PID/task/TID/status), as the README's main job starts them.

import ExoPlatform
import Foundation
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root to start tenants as other uids"))
struct TenantPrivilegeTests {
    @Test func everyThreadOfFramesDemoRunsAsTheTenant() throws {
        let daemon = try DaemonHarness()
        defer { daemon.stop() }
        let demo = try StartedClient("frames-demo", [
            "--socket", daemon.socketPath, "--tenant", "alice", "--as-uid", String(TestUIDs.alice), "--count", "2", "--hold",
        ], until: "attached as tenant", in: daemon.directory)
        defer { demo.stop() }
        try expectEveryThreadDropped(demo.pid, uid: TestUIDs.alice)
    }

    @Test func everyThreadOfUDPEchoRunsAsTheTenant() throws {
        let net = TapNet(second: 93, tapPrefix: "exopv")
        let daemon = try net.daemon()
        defer { daemon.stop() }
        let echo = try StartedClient("udp-echo", [
            "--socket", daemon.socketPath, "--tenant", "alice", "--as-uid", String(TestUIDs.alice),
            "--address", net.address(2), "--port", "7",
        ], until: " serving ", in: daemon.directory)
        defer { echo.stop() }
        try expectEveryThreadDropped(echo.pid, uid: TestUIDs.alice)
    }

    /// Every thread of `pid`: all four uids and gids the tenant's (a uid with no passwd entry
    /// has itself as its group) and no effective capability.
    private func expectEveryThreadDropped(_ pid: Int32, uid: UInt32) throws {
        let threads = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")
        #expect(threads.count > 1, "expected an async runtime's threads, got \(threads)")
        #expect(threads.contains(String(pid)), "the main thread is listed")
        for thread in threads {
            let status = try String(contentsOfFile: "/proc/\(pid)/task/\(thread)/status", encoding: .utf8)
            let credentials = try #require(ThreadCredentials(status: status), "\(status)")
            #expect(credentials.uids == Array(repeating: uid, count: 4), "thread \(thread): \(credentials.summary)")
            #expect(credentials.gids == Array(repeating: uid, count: 4), "thread \(thread): \(credentials.summary)")
            #expect(credentials.effectiveCapabilities == 0, "thread \(thread): \(credentials.summary)")
        }
    }
}
