// Runs systemd/verify-units.sh (systemd-analyze verify on both units) when systemd-analyze is
// installed, and checks that the script does fail on a unit with a mistake in it; holds both
// units to an exposure of at most 2.5 by `systemd-analyze security --offline=true` (the figure
// docs/SECURITY.md records). DaemonUserTests runs the daemon under the units' user and limits.

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

    /// `systemd-analyze security --offline=true UNIT`'s overall exposure (0 to 10, lower is safer).
    static func exposure(of unit: URL) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: systemdAnalyzePath!)
        process.arguments = ["security", "--offline=true", "--no-pager", unit.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // "→ Overall exposure level for exokerneld.service: 2.0 OK 🙂"
        guard let line = output.split(separator: "\n").first(where: { $0.contains("Overall exposure level for") }),
            let figure = line.split(separator: ":").last?.split(separator: " ").first, let value = Double(figure)
        else {
            Issue.record("no overall exposure in: \(output)")
            return .infinity
        }
        return value
    }

    @Test("both units' systemd-analyze security exposure is at most 2.5 (systemd-networkd's is 2.8)")
    func bothUnitsExposureIsAtMostTwoAndAHalf() throws {
        #expect(try Self.exposure(of: Self.unitDirectory.appendingPathComponent("exokerneld.service")) <= 2.5)
        // A template is analysed through an instance of it.
        let copy = FileManager.default.temporaryDirectory
            .appendingPathComponent("exokerneld-security-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: copy) }
        let instance = copy.appendingPathComponent("exokerneld@eth0.service")
        try FileManager.default.copyItem(at: Self.unitDirectory.appendingPathComponent("exokerneld@.service"), to: instance)
        #expect(try Self.exposure(of: instance) <= 2.5)
    }

    @Test func theExposureCheckSeesAWeakerUnit() throws {
        let copy = FileManager.default.temporaryDirectory
            .appendingPathComponent("exokerneld-weaker-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: copy) }
        let unit = copy.appendingPathComponent("exokerneld.service")
        let text = try String(contentsOf: Self.unitDirectory.appendingPathComponent("exokerneld.service"), encoding: .utf8)
        #expect(text.contains("\nUser=exokerneld\n"))
        try text.replacingOccurrences(of: "\nUser=exokerneld\n", with: "\nUser=root\n")
            .replacingOccurrences(of: "\nProtectProc=invisible\n", with: "\n")
            .replacingOccurrences(of: "\nRestrictNamespaces=yes\n", with: "\n")
            .write(to: unit, atomically: true, encoding: .utf8)
        #expect(try Self.exposure(of: unit) > 2.5)
    }

    @Test("each template instance is bound to its network device: it starts once the link exists, stops when it goes")
    func templateInstancesAreBoundToTheirDevice() throws {
        let text = try String(
            contentsOf: Self.unitDirectory.appendingPathComponent("exokerneld@.service"), encoding: .utf8)
        #expect(text.contains("\nBindsTo=sys-subsystem-net-devices-%i.device\n"))
        #expect(text.contains("\nAfter=sys-subsystem-net-devices-%i.device network.target\n"))
    }
}
