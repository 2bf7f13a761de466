// Hostile input at ExOS's TCP behind the real daemon, on both NIC backends: crafted segments
// (python3-scapy, where the Linux peer is) at alice's tcp-echo. A SYN flood from made-up hosts
// of the subnet fills the half-open backlog; SYN cookies answer the rest, the kernel's nc still
// gets its echo during and after it, and tcp-echo's memory stays bounded. Blind resets at an
// established kernel connection are met with challenge ACKs (in the window) or silence (out
// of it) and never end it (RFC 5961). Out-of-window, overlapping and contradictory data, bad
// checksums, broken options, SYN+FIN, flagless and urgent segments change nothing the
// connection delivers. tcp-echo's `--stats-every` line shows the counters that rose.

import Foundation
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root for TAP devices, namespaces and tenant uids"))
struct TCPHostileTests {
    static let port = 7000

    /// alice's tcp-echo on `.2`, printing its counters every 0.2 s.
    static func startEcho(_ net: any TestNet, _ daemon: DaemonHarness) throws -> StartedClient {
        try StartedClient(
            "tcp-echo",
            ["--tenant", "alice", "--socket", daemon.socketPath, "--as-uid", String(TestUIDs.alice),
             "--address", net.address(2), "--port", String(port), "--frames", "128", "--quiet",
             "--stats-every", "0.2"],
            until: "listening on", in: daemon.directory)
    }

    /// Runs `hostile_tcp.py MODE` where the peer is, at tcp-echo; its JSON report.
    static func attack(_ net: any TestNet, _ daemon: DaemonHarness, _ mode: String, _ extra: [String] = [])
        throws -> [String: Any]
    {
        let script = daemon.directory + "/hostile_tcp.py"
        try HostileTCPScript.source.write(toFile: script, atomically: true, encoding: .utf8)
        let result = try net.peerCommand(
            "/usr/bin/python3", [script, mode, net.peerLink, net.address(2), String(port)] + extra, timeout: 60)
        let line = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        guard result.status == 0,
            let report = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else {
            throw HarnessError("hostile_tcp.py \(mode) failed (\(result.status)): \(result.stdout)\(result.stderr)")
        }
        return report
    }

    /// The counters of tcp-echo's latest `stats` line, printed after this call (so after what
    /// the test did): name → value, drops by reason included.
    static func counters(_ echo: StartedClient) throws -> [String: UInt64] {
        func lines() -> [Substring] {
            ((try? String(contentsOfFile: echo.outputPath, encoding: .utf8)) ?? "").split(separator: "\n")
                .filter { $0.hasPrefix("tcp-echo: stats ") }
        }
        let seen = lines().count
        let deadline = Date().addingTimeInterval(5)
        while lines().count < seen + 2 && Date() < deadline { usleep(50_000) }
        guard let last = lines().last else { throw HarnessError("tcp-echo printed no stats") }
        var values: [String: UInt64] = [:]
        for word in last.split(separator: " ") {
            let pair = word.split(separator: "=")
            if pair.count == 2, let value = UInt64(pair[1]) { values[String(pair[0])] = value }
        }
        return values
    }

    /// VmRSS of `pid` in kB.
    static func residentKilobytes(_ pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])
        else { throw HarnessError("no VmRSS for \(pid)") }
        return kilobytes
    }

    /// The value of `"name":N` in `exoctl`'s JSON, 0 when absent.
    static func count(_ name: String, in json: String) -> Int {
        guard let key = json.range(of: "\"\(name)\":") else { return 0 }
        return Int(json[key.upperBound...].prefix(while: \.isNumber)) ?? 0
    }

    @Test(arguments: Backend.allCases)
    func aSynFloodLeavesTheListenerServingWithBoundedMemory(_ backend: Backend) throws {
        let net = try backend.net(second: 131, prefix: "exhsf")
        defer { net.remove() }
        let daemon = try net.daemon(quota: 256)
        defer { daemon.stop() }
        let echo = try Self.startEcho(net, daemon)
        defer { echo.stop() }
        let residentBefore = try Self.residentKilobytes(echo.pid)
        // 5,000 SYNs from random ports of 20 made-up hosts; three nc echoes from the kernel
        // after the first 1,000, one more after the last.
        let report = try Self.attack(net, daemon, "flood", ["5000"])
        // All three connections made during the flood are echoed. (Under load the ring drops
        // some of their first segments; a later one reaching the listener first used to draw a
        // reset, since a cookie can be checked only at the client's ISN + 1: see docs/EXOS.md.)
        #expect(report["during"] as? Bool == true, "\(report)\n\(daemon.log)")
        #expect(report["after"] as? Bool == true, "\(report)")
        #expect(echo.process.isRunning)
        let residentAfter = try Self.residentKilobytes(echo.pid)
        // Half-open connections own no buffer pages until data comes (a zero-filled ring made
        // this 64 MB: 128 × 512 KiB).
        #expect(residentAfter - residentBefore < 32 * 1024, "VmRSS \(residentBefore) kB → \(residentAfter) kB")
        let counters = try Self.counters(echo)
        // The backlog (128) filled; past it, SYNs got cookies (those beyond the control queue's
        // 32 frames are dropped, tx.controlQueueFull, as a lost SYN-ACK), and the kernel's
        // connections made during the flood and after it were opened from theirs.
        #expect(counters["opens.passive", default: 0] >= 128, "\(counters)")
        // At least 250 cookies: well past the backlog. How many of the 5,000 SYNs reach the
        // stack depends on the machine's load (the rest are dropped on full rings before it,
        // counted by the daemon): 525-972 at load 12-22, over 1,000 on a quiet machine.
        #expect(counters["synCookies.sent", default: 0] >= 250, "\(counters)")
        #expect(counters["synCookies.accepted", default: 0] >= 3, "\(counters)")
    }

    @Test(arguments: Backend.allCases)
    func blindResetsMeetChallengeAcksAndTheSessionGoesOn(_ backend: Backend) throws {
        let net = try backend.net(second: 131, prefix: "exhrs")
        defer { net.remove() }
        let daemon = try net.daemon(quota: 256)
        defer { daemon.stop() }
        let echo = try Self.startEcho(net, daemon)
        defer { echo.stop() }
        let report = try Self.attack(net, daemon, "resets")
        #expect(report["before"] as? Bool == true && report["after"] as? Bool == true, "\(report)\n\(daemon.log)")
        // Every in-window reset (RST and RST+ACK at 6 offsets, 0.6 s apart) drew a challenge
        // ACK on the wire, but one right after a challenge did not (at most one per 0.5 s);
        // the out-of-window ones drew nothing; a SYN in the window drew one too.
        let inWindow = report["inWindowSent"] as? Int ?? 0
        #expect(inWindow == 12 && report["challenged"] as? Int == inWindow, "\(report)")
        #expect(report["rapidAnswered"] as? Int == 0, "\(report)")
        #expect(report["outOfWindowAnswered"] as? Int == 0, "\(report)")
        #expect(report["synChallenged"] as? Bool == true, "\(report)")
        #expect(echo.process.isRunning)
        let counters = try Self.counters(echo)
        #expect(counters["challengeAcks", default: 0] >= UInt64(inWindow + 1), "\(counters)")
        #expect(counters["challengeAcks.limited", default: 0] >= 1, "\(counters)")
        let outOfWindow = UInt64(report["outOfWindowSent"] as? Int ?? 99)
        #expect(counters["tcp.outOfWindow", default: 0] >= outOfWindow, "\(counters)")
        #expect(counters["resets.received"] == 0, "\(counters)")
    }

    @Test(arguments: Backend.allCases)
    func bogusSegmentsChangeNothingTheSessionDelivers(_ backend: Backend) throws {
        let net = try backend.net(second: 131, prefix: "exhbs")
        defer { net.remove() }
        let daemon = try net.daemon(quota: 256)
        defer { daemon.stop() }
        let echo = try Self.startEcho(net, daemon)
        defer { echo.stop() }
        let report = try Self.attack(net, daemon, "bogus")
        #expect(report["before"] as? Bool == true, "\(report)\n\(daemon.log)")
        // The 96 bytes the kernel sent over the forged ranges came back as sent; the session
        // and a new connection still echo.
        #expect(report["message"] as? Bool == true, "\(report)")
        #expect(report["after"] as? Bool == true && report["fresh"] as? Bool == true, "\(report)")
        // A connection whose SYN offered MSS 0 and window scale 200 opens and echoes too.
        #expect(report["absurdHandshake"] as? Bool == true, "\(report)")
        #expect(echo.process.isRunning)
        let counters = try Self.counters(echo)
        #expect(counters["tcp.badChecksum", default: 0] >= 1, "\(counters)")
        // Five broken options on the connection, two at the listener; the data offsets below 5
        // and past the end never reach the tenant: the daemon refuses those headers itself.
        #expect(counters["tcp.malformed", default: 0] >= 7, "\(counters)")
        let nic = try DataPathTests.exoctl(daemon, ["nic", "--json"])
        #expect(Self.count("malformedTCP", in: nic) >= 2, "\(nic)")
        #expect(counters["tcp.outOfWindow", default: 0] >= 3, "\(counters)")
        // No flags on the connection, data without ACK at the listener.
        #expect(counters["tcp.unexpectedSegment", default: 0] >= 2, "\(counters)")
        #expect(counters["tcp.badCookie", default: 0] >= 1, "\(counters)")  // an ACK at the listener
        #expect(counters["tcp.badAck", default: 0] >= 1, "\(counters)")  // an ACK of bytes never sent
        // SYN+FIN, SYN, an ACK too old, sent together: one challenge ACK, the others limited.
        #expect(counters["challengeAcks", default: 0] >= 1, "\(counters)")
        #expect(counters["challengeAcks", default: 0] + counters["challengeAcks.limited", default: 0] >= 3, "\(counters)")
        #expect(counters["urgentIgnored", default: 0] >= 1, "\(counters)")
        #expect(counters["resets.received"] == 0, "\(counters)")
    }
}
