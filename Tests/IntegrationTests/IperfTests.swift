// exo-iperf (clients/exo-iperf) behind the real daemon, on both NIC backends, with Debian's
// unmodified iperf3 client in the kernel's namespace: a forward test, a reverse one (-R), two
// streams (-P 2) and both ways (--bidir) each report what the server counted (the client's
// "received" is the server's own count, its "sent" what it wrote), and UDP, or a second
// client during a test, get iperf3's own errors while the server goes on serving.

import Foundation
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root for TAP devices, namespaces and tenant uids"))
struct IperfTests {
    /// alice's exo-iperf on `.2` port 5201, as uid alice.
    static func startServer(_ net: any TestNet, _ daemon: DaemonHarness) throws -> StartedClient {
        try StartedClient(
            "exo-iperf",
            ["-s", "--port", "5201", "--tenant", "alice", "--socket", daemon.socketPath, "--as-uid", String(TestUIDs.alice),
             "--address", net.address(2)],
            until: "listening on", in: daemon.directory)
    }

    /// What `iperf3 -J` printed: the totals of its "end" section, per-stream counts, and its error.
    struct ClientReport {
        var sent: UInt64
        var received: UInt64
        var streamsReceived: [UInt64]
        /// With --bidir: the totals of the server's sending streams.
        var reverseSent: UInt64
        var reverseReceived: UInt64
        var error: String?
        var raw: String
    }

    /// Runs `iperf3 -c .2 -p 5201 -J` with `arguments` where the kernel is.
    static func iperf3(_ net: any TestNet, _ arguments: [String], timeout: TimeInterval = 40) throws -> ClientReport {
        let result = try net.peerCommand(
            "/usr/bin/iperf3", ["-c", net.address(2), "-p", "5201", "-J", "--connect-timeout", "5000"] + arguments, timeout: timeout)
        let object = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
        let end = object["end"] as? [String: Any] ?? [:]
        func bytes(_ key: String) -> UInt64 { ((end[key] as? [String: Any])?["bytes"] as? NSNumber)?.uint64Value ?? 0 }
        let streams = (end["streams"] as? [[String: Any]] ?? []).map {
            (($0["receiver"] as? [String: Any])?["bytes"] as? NSNumber)?.uint64Value ?? 0
        }
        return ClientReport(sent: bytes("sum_sent"), received: bytes("sum_received"), streamsReceived: streams,
                            reverseSent: bytes("sum_sent_bidir_reverse"), reverseReceived: bytes("sum_received_bidir_reverse"),
                            error: object["error"] as? String, raw: result.stdout + result.stderr)
    }

    /// The fields of the server's `exo-iperf: result ...` line number `index` (0: the first).
    static func serverResult(_ server: StartedClient, _ index: Int) throws -> [String: String] {
        // The line is printed after the client's IPERF_DONE, which may follow the client's exit.
        let deadline = Date().addingTimeInterval(5)
        while true {
            let lines = ((try? String(contentsOfFile: server.outputPath, encoding: .utf8)) ?? "")
                .split(separator: "\n").filter { $0.hasPrefix("exo-iperf: result ") }
            if lines.count > index {
                var fields: [String: String] = [:]
                for word in lines[index].split(separator: " ") {
                    let parts = word.split(separator: "=", maxSplits: 1)
                    if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
                }
                return fields
            }
            guard Date() < deadline else { throw HarnessError("no result line \(index) from exo-iperf: \(output(server))") }
            usleep(50_000)
        }
    }

    static func output(_ server: StartedClient) -> String {
        (try? String(contentsOfFile: server.outputPath, encoding: .utf8)) ?? ""
    }

    @Test(arguments: Backend.allCases)
    func forwardReverseTwoStreamAndBidirectionalTestsReportWhatTheServerCounted(_ backend: Backend) throws {
        let net = try backend.net(second: 99, prefix: "exipf")
        defer { net.remove() }
        let daemon = try net.daemon(quota: 256)
        defer { daemon.stop() }
        let server = try Self.startServer(net, daemon)
        defer { server.stop() }

        // Forward: the client sends; what it says the receiver got is the server's own count,
        // and the server got the client's count of what it sent in the results exchange.
        let forward = try Self.iperf3(net, ["-t", "2"])
        #expect(forward.error == nil, "\(forward.raw)\n\(Self.output(server))\n\(daemon.log)")
        let first = try Self.serverResult(server, 0)
        #expect(first["direction"] == "client-to-server" && first["streams"] == "1")
        #expect(first["received"] == String(forward.received) && forward.received > 0, "\(first) \(forward.raw)")
        #expect(first["client.sent"] == String(forward.sent), "\(first)")
        // The bytes still in flight at the client's TEST_END are sent but never counted: at
        // most the client's socket buffer and the server's window, a few MB.
        #expect(forward.received <= forward.sent && forward.sent - forward.received < 8 << 20, "\(forward.raw)")

        // Reverse: the server sends; the client's "sent" is what the server reported writing.
        let reverse = try Self.iperf3(net, ["-t", "2", "-R"])
        #expect(reverse.error == nil, "\(reverse.raw)\n\(Self.output(server))")
        let second = try Self.serverResult(server, 1)
        #expect(second["direction"] == "server-to-client" && second["received"] == "0")
        #expect(second["sent"] == String(reverse.sent) && reverse.received > 0, "\(second) \(reverse.raw)")
        #expect(second["client.received"] == String(reverse.received), "\(second)")
        #expect(reverse.received <= reverse.sent && reverse.sent - reverse.received < 8 << 20, "\(reverse.raw)")

        // Two streams: each carried bytes, and the server's total is the client's received sum.
        let parallel = try Self.iperf3(net, ["-t", "2", "-P", "2"])
        #expect(parallel.error == nil, "\(parallel.raw)\n\(Self.output(server))")
        let third = try Self.serverResult(server, 2)
        #expect(third["streams"] == "2" && third["received"] == String(parallel.received), "\(third) \(parallel.raw)")
        #expect(parallel.streamsReceived.count == 2 && parallel.streamsReceived.allSatisfy { $0 > 0 }, "\(parallel.raw)")
        #expect(parallel.streamsReceived.reduce(0, +) == parallel.received)

        // Both ways at once: the client's streams first (the server receives), then the server's.
        let both = try Self.iperf3(net, ["-t", "2", "--bidir"])
        #expect(both.error == nil, "\(both.raw)\n\(Self.output(server))")
        let fourth = try Self.serverResult(server, 3)
        #expect(fourth["direction"] == "bidirectional" && fourth["received"] == String(both.received), "\(fourth) \(both.raw)")
        #expect(fourth["sent"] == String(both.reverseSent) && both.reverseReceived > 0, "\(fourth) \(both.raw)")
    }

    @Test func udpAndASecondClientGetIperf3sErrorsAndTheNextTestRuns() throws {
        let net = try Backend.packet.net(second: 99, prefix: "exipu")
        defer { net.remove() }
        let daemon = try net.daemon(quota: 256)
        defer { daemon.stop() }
        let server = try Self.startServer(net, daemon)
        defer { server.stop() }
        let udp = try Self.iperf3(net, ["-u", "-t", "1"])
        #expect(udp.error?.contains("not implemented") == true, "\(udp.raw)")
        #expect(Self.output(server).contains("refused (notTCP, iperf3 error 13)"), "\(Self.output(server))")

        // A client that arrives while a 3 s test runs is told the server is busy (iperf3's
        // ACCESS_DENIED); no shell `wait` (see HTTPDTests): the long test's output goes to a file.
        let busy = try net.peerCommand("/bin/sh", ["-c", """
            f=$(mktemp); (iperf3 -c "$0" -p 5201 -t 3 -J > "$f" 2>&1 &)
            sleep 1; iperf3 -c "$0" -p 5201 -t 1 -J | grep '"error"'
            sleep 4; grep -c '"sum_received"' "$f"; rm -f "$f"
            """, net.address(2)], timeout: 30)
        #expect(busy.stdout.contains("the server is busy running a test"), "\(busy.stdout)\(busy.stderr)")
        #expect(busy.stdout.hasSuffix("1\n"), "\(busy.stdout)\(busy.stderr)\n\(Self.output(server))")

        let next = try Self.iperf3(net, ["-t", "1"])
        #expect(next.error == nil && next.received > 0, "\(next.raw)\n\(Self.output(server))")
    }
}
