// Starting and stopping: one daemon per socket, stale sockets replaced, tokens of a previous
// run worthless, and --check-config naming the file and key of every mistake.

import Foundation
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "integration tests run as root"))
struct DaemonLifecycleTests {
    @Test func aSecondDaemonRefusesALiveSocketAndAStaleOneIsReplaced() throws {
        let first = try DaemonHarness()
        defer { first.stop() }
        let second = try runCommand(BuildProducts.path("exokerneld"), ["--config", first.configPath], timeout: 10)
        #expect(second.status == 1)
        #expect(second.stderr.contains("served by a running exokerneld"), "\(second.stderr)")

        first.kill9()  // leaves the socket file behind
        var info = stat()
        #expect(lstat(first.socketPath, &info) == 0)
        let third = Process()
        third.executableURL = URL(fileURLWithPath: BuildProducts.path("exokerneld"))
        third.arguments = ["--config", first.configPath]
        let log = Pipe()
        third.standardError = log
        try third.run()
        defer { kill(third.processIdentifier, SIGTERM); third.waitUntilExit() }
        let a = try TenantProcess(socketPath: first.socketPath, uid: TestUIDs.alice)
        defer { a.quit() }
        var attached = false
        for _ in 0..<100 {
            if try a.send("attach alice").hasPrefix("ok") { attached = true; break }
            usleep(50_000)
        }
        #expect(attached)
    }

    @Test func tokensOfAPreviousRunAreRefused() throws {
        var token = ""
        do {
            let daemon = try DaemonHarness()
            defer { daemon.stop() }
            let a = try TenantProcess(socketPath: daemon.socketPath, uid: TestUIDs.alice)
            defer { a.quit() }
            try a.ok("attach alice")
            try a.ok("alloc 2")
            token = try #require(TenantProcess.value("token", in: try a.ok("grant 2 r bob")))
        }
        let daemon = try DaemonHarness()
        defer { daemon.stop() }
        let a = try daemon.attachedTenant("alice", uid: TestUIDs.alice)
        defer { a.quit() }
        let b = try daemon.attachedTenant("bob", uid: TestUIDs.bob)
        defer { b.quit() }
        try a.ok("alloc 2")  // the same frame, held again, in the new run
        #expect(try b.send("redeem \(token)").hasPrefix("err invalidToken"))
    }

    @Test func checkConfigNamesFileKeyAndProblem() throws {
        let directory = try DaemonHarness.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/bad.toml"
        try """
            [frames]
            count = "many"
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try runCommand(BuildProducts.path("exokerneld"), ["--check-config", path])
        #expect(result.status == 1)
        #expect(result.stderr.contains(path))
        #expect(result.stderr.contains("frames.count"))

        let example = Self.repositoryRoot.appendingPathComponent("config/exokerneld.toml").path
        let good = try runCommand(BuildProducts.path("exokerneld"), ["--check-config", example])
        #expect(good.status == 0, "\(good.stderr)")
    }

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
}
