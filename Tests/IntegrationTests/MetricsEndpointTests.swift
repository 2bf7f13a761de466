// The metrics endpoint of a real daemon: [metrics] on 127.0.0.1 with a port the kernel picks
// (the log names it), a tenant's echo traffic through the TAP, and Debian's curl scraping
// /metrics. The counters are the ones exoctl stats and nic report, and Prometheus's own
// promtool accepts the text.

import Foundation
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root for TAP devices and tenant uids"))
struct MetricsEndpointTests {
    @Test func curlScrapesTheCountersExoctlReportsAndPromtoolAcceptsThem() throws {
        let net = TapNet(second: 82, tapPrefix: "exomt")
        defer { net.remove() }
        let daemon = try DaemonHarness(
            environment: ["EXOKERNEL_TAP": net.tap], tenantExtra: net.tenantExtra,
            tail: net.nic + "\n[metrics]\nlisten = \"127.0.0.1:0\"\n")
        defer { daemon.stop() }
        let url = try Self.metricsURL(in: daemon)
        let alice = try EchoProcess(daemon, tenant: "alice", uid: TestUIDs.alice, address: net.address(2), port: 7)
        defer { alice.stop() }
        try alice.waitUntilReady()
        for n in 0..<3 {
            let echoed = try net.peerCommand("/bin/sh", ["-c", "printf \"$2\" | nc -u -w 1 -s \"$0\" \"$1\" 7",
                net.address(1), net.address(2), "datagram-\(n)"], timeout: 10)
            #expect(echoed.stdout == "datagram-\(n)", "\(alice.output)")
        }

        let before = try TapNet.stats(daemon, tenant: "alice")
        let scrape = try runCommand("/usr/bin/curl", ["-sS", "--fail", "--max-time", "5", url])
        let after = try TapNet.stats(daemon, tenant: "alice")
        #expect(scrape.status == 0, "\(scrape.stderr)")
        let metrics = Self.samples(scrape.stdout)
        let rx = try #require(metrics["exokernel_tenant_rx_packets_total{tenant=\"alice\"}"], "\(scrape.stdout)")
        let tx = try #require(metrics["exokernel_tenant_tx_packets_total{tenant=\"alice\"}"])
        // Three datagrams each way at least (plus ARP); whatever moved while curl ran lies between.
        #expect(rx >= 3 && Double(before.rxPackets) <= rx && rx <= Double(after.rxPackets), "\(before) \(after)")
        #expect(tx >= 3 && Double(before.txPackets) <= tx && tx <= Double(after.txPackets))
        #expect(metrics["exokernel_tenant_rx_packets_total{tenant=\"bob\"}"] == 0)
        #expect(metrics["exokernel_tenant_drops_total{reason=\"rx.noFillFrame\",tenant=\"alice\"}"] == 0)
        #expect(metrics["exokernel_tenant_sessions{tenant=\"alice\"}"] == 1)
        #expect(metrics["exokernel_nic_up{nic=\"\(net.tap)\"}"] == 1)
        #expect((metrics["exokernel_nic_rx_packets_total{nic=\"\(net.tap)\"}"] ?? 0) >= 3)
        #expect(metrics["exokernel_pool_frames"] == 256)
        // The echo's data path, the control requests that set it up and exoctl's, no revocation.
        #expect((metrics["exokernel_tenant_ring_slots{ring=\"rx\",tenant=\"alice\"}"] ?? 0) > 0)
        #expect(metrics["exokernel_tenant_ring_slots{ring=\"rx\",tenant=\"bob\"}"] == 0)
        #expect((metrics["exokernel_control_requests_total{kind=\"hello\",outcome=\"ok\"}"] ?? 0) >= 2)
        #expect((metrics["exokernel_control_requests_total{kind=\"openDataPath\",outcome=\"ok\"}"] ?? 0) >= 1)
        #expect((metrics["exokernel_control_request_duration_seconds_count{kind=\"stats\"}"] ?? 0) >= 1)
        #expect(metrics["exokernel_revocations_pending"] == 0)

        if FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool") {
            let lint = try runCommand("/bin/sh", ["-c", "curl -sS --fail \"$0\" | promtool check metrics", url])
            #expect(lint.status == 0, "promtool: \(lint.stdout)\(lint.stderr)")
        }
        // The wrong path and method, as curl sees them.
        let notFound = try runCommand("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", url + "x"])
        #expect(notFound.stdout == "404")
        let post = try runCommand("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", url])
        #expect(post.stdout == "405")
    }

    /// http://ADDRESS:PORT/metrics from the daemon's "metrics: serving" log line.
    static func metricsURL(in daemon: DaemonHarness) throws -> String {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if let line = daemon.log.split(separator: "\n").first(where: { $0.contains("metrics: serving ") }),
                let start = line.range(of: "http://")
            {
                return String(line[start.lowerBound...])
            }
            usleep(20_000)
        }
        throw HarnessError("no metrics line in the log: \(daemon.log)")
    }

    /// "name{labels} value" lines by their series text.
    static func samples(_ text: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }
}
