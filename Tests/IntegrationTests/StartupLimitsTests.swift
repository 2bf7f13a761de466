// The first run on a stock shell: both spellings of the documented check command work, and
// the daemon and a library OS started with the usual soft descriptor limit of 1024 raise it to
// their hard limit, so the shipped configuration (4096 frames) checks and runs.

import Foundation
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "integration tests run as root"))
struct StartupLimitsTests {
    static let example = DaemonLifecycleTests.repositoryRoot.appendingPathComponent("config/exokerneld.toml").path

    /// `/bin/sh -c 'ulimit -Sn 1024; exec PROGRAM ARGS'`, as after `ulimit -Sn 1024` in a shell.
    static let stockShell = ["/bin/sh", "-c", "ulimit -Sn 1024 && exec \"$0\" \"$@\""]

    @Test func theCheckCommandTakesTheFileEitherWay() throws {
        let daemon = BuildProducts.path("exokerneld")
        let documented = try runCommand(daemon, ["--config", Self.example, "--check-config"])
        #expect(documented.status == 0, "\(documented.stderr)")
        #expect(documented.stderr.contains("configuration is valid"))
        let short = try runCommand(daemon, ["--check-config", Self.example])
        #expect(short.status == 0, "\(short.stderr)")
        #expect(short.stderr == documented.stderr)

        // Two different files is a usage error, not a guess.
        let both = try runCommand(daemon, ["--config", "/nonexistent.toml", "--check-config", Self.example])
        #expect(both.status == 64, "\(both.stderr)")
        // A bad file named by --config is checked, not the default one.
        let directory = try DaemonHarness.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bad = directory + "/bad.toml"
        try "[frames]\ncount = \"many\"\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try runCommand(daemon, ["--config", bad, "--check-config"])
        #expect(refused.status == 1 && refused.stderr.contains(bad) && refused.stderr.contains("frames.count"))
    }

    @Test func theShippedConfigurationChecksUnderASoftLimitOf1024() throws {
        let result = try runCommand(
            Self.stockShell[0], Array(Self.stockShell.dropFirst()) + [BuildProducts.path("exokerneld"), "--check-config", Self.example])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("RLIMIT_NOFILE"), "\(result.stderr)")
    }

    @Test func aDaemonAndATenantStartedUnderASoftLimitOf1024RaiseIt() throws {
        // 4096 frames need about 4200 descriptors: more than 1024, less than the hard limit.
        let daemon = try DaemonHarness(frames: 4096, launcher: Self.stockShell)
        defer { daemon.stop() }
        let hard = try #require(Self.openFilesLimit(pid: getpid())?.hard)
        #expect(Self.openFilesLimit(pid: daemon.pid)?.soft == hard, "\(daemon.log)")

        // frames-demo (ExOS) as alice, holding its frames until its stdin closes.
        let demo = try StartedClient("frames-demo", [
            "--socket", daemon.socketPath, "--tenant", "alice", "--as-uid", String(TestUIDs.alice), "--count", "4", "--hold",
        ], launcher: Self.stockShell, until: "holding until end of input", in: daemon.directory)
        defer { demo.stop() }
        #expect(Self.openFilesLimit(pid: demo.pid)?.soft == hard)
    }

    /// RLIMIT_NOFILE of `pid` from /proc/PID/limits ("Max open files  SOFT  HARD  files").
    static func openFilesLimit(pid: Int32) -> (soft: String, hard: String)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("Max open files") {
            let fields = line.dropFirst("Max open files".count).split(separator: " ")
            guard fields.count >= 2 else { return nil }
            return (String(fields[0]), String(fields[1]))
        }
        return nil
    }
}
