// Every binary a user or operator runs answers --version with its name and the one version
// (ExoVersion.number), on standard output, with status 0, whatever else is on the line.

import ExoVersion
import Foundation
import Testing

@Suite("--version")
struct VersionTests {
    static let binaries = [
        "exokerneld", "exoctl", "exobench", "frames-demo", "udp-echo", "tcp-echo", "exoping", "exo-nc", "httpd",
        "exo-iperf", "udp-sink", "udp-blast",
    ]

    @Test(arguments: binaries) func printsItsNameAndTheOneVersion(binary: String) throws {
        let result = try runCommand(BuildProducts.path(binary), ["--version"], timeout: 10)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "\(binary) \(ExoVersion.number)\n")
        #expect(result.stderr.isEmpty)
    }

    @Test func exoctlTakesItAfterASubcommandToo() throws {
        let result = try runCommand(BuildProducts.path("exoctl"), ["status", "--version"], timeout: 10)
        #expect(result.status == 0)
        #expect(result.stdout == "exoctl \(ExoVersion.number)\n")
    }

    @Test func theVersionIsSemantic() {
        let parts = ExoVersion.number.split(separator: ".", omittingEmptySubsequences: false)
        #expect(parts.count == 3 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }, "\(ExoVersion.number)")
    }
}

@Suite(.enabled(if: getuid() == 0, "integration tests run as root"))
struct DaemonVersionTests {
    @Test func exoctlStatusReportsTheRunningDaemonsVersion() throws {
        let daemon = try DaemonHarness()
        defer { daemon.stop() }
        let result = try runCommand(BuildProducts.path("exoctl"), ["--json", "--socket", daemon.socketPath, "status"])
        #expect(result.status == 0, "\(result.stderr)")
        let status = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(status?["daemonVersion"] as? String == ExoVersion.number, "\(result.stdout)")
    }
}
