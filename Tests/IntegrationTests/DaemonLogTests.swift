// What the daemon writes to its log, as journald would file it: start-up failures and
// configuration warnings with their priority when standard error is the journal (and plain on a
// terminal), operators' sessions only at debug, tenants' sessions with their fields.

import Foundation
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "integration tests run as root"))
struct DaemonLogTests {
    /// Runs exokerneld through sh with JOURNAL_STREAM naming its standard error, as systemd does.
    func runUnderJournal(_ arguments: String) throws -> CommandResult {
        try runCommand("/bin/sh", ["-c",
            "JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) exec \(BuildProducts.path("exokerneld")) \(arguments)"])
    }

    func badConfig() throws -> (directory: String, path: String) {
        let directory = try DaemonHarness.makeDirectory()
        let path = directory + "/bad.toml"
        try "[frames]\ncount = 0\n".write(toFile: path, atomically: true, encoding: .utf8)
        return (directory, path)
    }

    @Test func startUpErrorsAndWarningsCarryTheirPrioritiesUnderTheJournal() throws {
        let (directory, path) = try badConfig()  // frames.count 0 (an error), no tenant (a warning)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try runUnderJournal("--check-config \(path)")
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("<3>exokerneld: ") && $0.contains("frames.count") }, "\(result.stderr)")
        #expect(lines.contains { $0.hasPrefix("<4>exokerneld: warning: ") && $0.contains("[[tenant]]") }, "\(result.stderr)")
        #expect(lines.allSatisfy { $0.hasPrefix("<3>") || $0.hasPrefix("<4>") }, "\(result.stderr)")
    }

    @Test func onATerminalTheSameErrorsArePlain() throws {
        let (directory, path) = try badConfig()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try runCommand(BuildProducts.path("exokerneld"), ["--check-config", path])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("exokerneld: "), "\(result.stderr)")
        #expect(!result.stderr.contains("<3>"))
    }

    @Test func anUnknownLogLevelIsAUsageError() throws {
        let result = try runCommand(BuildProducts.path("exokerneld"), ["--log-level", "loud", "--check-config", "/nonexistent"])
        #expect(result.status != 0 && result.status != 1, "usage errors are not configuration errors")
        #expect(result.stderr.contains("critical, error, warning, notice, info, debug or trace"), "\(result.stderr)")
    }

    /// Starts a daemon, attaches alice and runs one exoctl query; returns the daemon's log.
    func logOfOneTenantAndOneQuery(daemonExtra: String) throws -> String {
        let daemon = try DaemonHarness(daemonExtra: daemonExtra)
        defer { daemon.stop() }
        let alice = try daemon.attachedTenant("alice", uid: TestUIDs.alice)
        let query = try runCommand(BuildProducts.path("exoctl"), ["--socket", daemon.socketPath, "status"])
        #expect(query.status == 0, "\(query.stderr)")
        alice.quit()
        usleep(300_000)  // the daemon notices both sessions end
        return try String(contentsOfFile: daemon.logPath, encoding: .utf8)
    }

    @Test func atInfoOperatorsQueriesAreNotLoggedButTenantsSessionsAreWithTheirFields() throws {
        let log = try logOfOneTenantAndOneQuery(daemonExtra: "")
        #expect(!log.contains("operator"), "\(log)")
        let attach = log.split(separator: "\n").first { $0.contains("attached as tenant alice") }
        #expect(attach?.hasPrefix("<6>") == true, "\(log)")
        #expect(attach?.hasSuffix("tenant=alice") == true && attach?.contains(" session=") == true, "\(log)")
        #expect(log.split(separator: "\n").contains { $0.contains("(tenant alice,") && $0.contains("ended") && $0.hasSuffix("tenant=alice") },
            "\(log)")
    }

    @Test func atDebugOperatorsSessionsAreLoggedAtDebugPriority() throws {
        let log = try logOfOneTenantAndOneQuery(daemonExtra: "log_level = \"debug\"")
        let lines = log.split(separator: "\n").filter { $0.contains("operator") }
        #expect(lines.count >= 2, "attach and end: \(log)")
        #expect(lines.allSatisfy { $0.hasPrefix("<7>") }, "\(log)")
    }
}
