// Runs systemd/verify-units.sh (systemd-analyze verify on both units) when systemd-analyze is
// installed, and checks that the script does fail on a unit with a mistake in it.

import Foundation
import Testing

/// Where systemd-analyze is installed, if it is.
private let systemdAnalyzePath: String? = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"]
    .first { FileManager.default.isExecutableFile(atPath: $0) }

@Suite("systemd units", .enabled(if: systemdAnalyzePath != nil, "systemd-analyze is not installed"))
struct SystemdUnitTests {
    static let unitDirectory = ConfigFixtures.repositoryRoot.appendingPathComponent("systemd")

    /// Runs `verify-units.sh` from `directory`; returns its exit status and combined output.
    static func runVerify(in directory: URL) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [directory.appendingPathComponent("verify-units.sh").path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func bothUnitsPassSystemdAnalyzeVerify() throws {
        let result = try Self.runVerify(in: Self.unitDirectory)
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func verifyScriptFailsOnAMisspelledDirective() throws {
        let copy = FileManager.default.temporaryDirectory
            .appendingPathComponent("exokerneld-units-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: copy) }
        for name in ["exokerneld.service", "exokerneld@.service", "verify-units.sh"] {
            try FileManager.default.copyItem(
                at: Self.unitDirectory.appendingPathComponent(name), to: copy.appendingPathComponent(name))
        }
        let unit = copy.appendingPathComponent("exokerneld@.service")
        let text = try String(contentsOf: unit, encoding: .utf8)
        #expect(text.contains("\nLockPersonality=yes\n"))
        try text.replacingOccurrences(of: "\nLockPersonality=yes\n", with: "\nLockPersonalty=yes\n")
            .write(to: unit, atomically: true, encoding: .utf8)

        let result = try Self.runVerify(in: copy)
        #expect(result.status != 0)
        #expect(result.output.contains("LockPersonalty"))
    }

    @Test func templateInstancesGetTheirOwnConfigAndSocket() throws {
        let text = try String(
            contentsOf: Self.unitDirectory.appendingPathComponent("exokerneld@.service"), encoding: .utf8)
        #expect(
            text.contains(
                "\nExecStart=/usr/local/bin/exokerneld --config /etc/exokernel/%i.toml --socket /run/exokernel/%i.sock\n"
            ))
        #expect(text.contains("\nRuntimeDirectoryPreserve=yes\n"))
        #expect(text.contains("\nExecReload=/usr/local/bin/exoctl --socket /run/exokernel/%i.sock reload\n"))
    }

    @Test("both units reload through exoctl, which waits for the daemon's answer and fails on a refused file")
    func unitsReloadThroughExoctl() throws {
        let text = try String(
            contentsOf: Self.unitDirectory.appendingPathComponent("exokerneld.service"), encoding: .utf8)
        #expect(text.contains("\nExecReload=/usr/local/bin/exoctl --socket /run/exokernel/exokerneld.sock reload\n"))
        #expect(text.contains("\nType=notify\n"))
    }
}
