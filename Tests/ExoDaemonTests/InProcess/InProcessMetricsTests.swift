// The metrics endpoint in the whole daemon's loop, in-process and without root: a scrape over
// TCP on loopback reports the counters exoctl reports; wrong paths and methods, too many
// connections, oversized and slow requests are answered and closed by the loop itself.

import ExoPlatform
import ExoWire
import Foundation
import Testing

@testable import ExoDaemon

@Suite("The whole daemon in-process: metrics endpoint")
struct InProcessMetricsTests {
    static func daemon(maxConnections: Int = 4, timeoutMilliseconds: Int = 5000) throws -> InProcessDaemon {
        try InProcessDaemon { config in
            var metrics = MetricsConfig(listen: TCPEndpoint(parsing: "127.0.0.1:0")!)
            metrics.maxConnections = maxConnections
            metrics.timeoutMilliseconds = timeoutMilliseconds
            config.metrics = metrics
        }
    }

    @Test("a scrape reports the packets, bytes and drops exoctl stats and nic report, per tenant")
    func aScrapeReportsTheCountersExoctlReports() throws {
        let daemon = try Self.daemon()
        let alice = try TenantDataPath(peer: try daemon.attachTenant("alice"))
        try alice.bindUDP(port: 7000)
        let packets = (0..<3).map { InProcessDaemon.packetFromWire(to: alice.address, port: 7000, payload: [UInt8]($0..<10)) }
        daemon.receiveFromWire(packets + [InProcessDaemon.packetFromWire(to: alice.address, port: 7001, payload: [1])])
        #expect(try alice.received().count == 3)

        let response = try ScrapeClient(daemon).exchange("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(response.hasPrefix("HTTP/1.1 200 OK\r\n"))
        let text = try PrometheusText(String(response[response.range(of: "\r\n\r\n")!.upperBound...]))
        let op = try daemon.attachOperator()
        let stats = try #require(try op.call(ControlCalls.stats).first { $0.tenant == "alice" })
        #expect(stats.rxPackets == 3)
        #expect(text.value("exokernel_tenant_rx_packets_total", ["tenant": "alice"]) == Double(stats.rxPackets))
        #expect(text.value("exokernel_tenant_rx_bytes_total", ["tenant": "alice"]) == Double(stats.rxBytes))
        #expect(text.value("exokernel_tenant_rx_packets_total", ["tenant": "bob"]) == 0)
        let nic = try op.call(ControlCalls.nic)
        #expect(nic.drops == 1)
        #expect(text.value("exokernel_nic_rx_packets_total", ["nic": "mem0"]) == Double(nic.rxPackets))
        let nicDrops = text.series("exokernel_nic_drops_total").reduce(0) { $0 + $1.value }
        #expect(nicDrops == 1)
        #expect(text.value("exokernel_tenant_sessions", ["tenant": "alice"]) == 1)
        let listed = try #require(try op.call(ControlCalls.tenants(Page(cursor: 0, limit: 10))).entries.first { $0.name == "alice" })
        #expect(listed.framesHeld > 0)
        #expect(text.value("exokernel_tenant_frames_held", ["tenant": "alice"]) == Double(listed.framesHeld))
        // The endpoint counts itself: the first scrape is in the second.
        let second = try ScrapeClient(daemon).exchange("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(second.contains("exokernel_metrics_http_requests_total{code=\"200\"} 1\n"))
        #expect(second.contains("exokernel_metrics_scrape_duration_seconds_count 1\n"))
    }

    static func scrape(_ daemon: InProcessDaemon) throws -> PrometheusText {
        let response = try ScrapeClient(daemon).exchange("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(response.hasPrefix("HTTP/1.1 200 OK\r\n"))
        return try PrometheusText(String(response[response.range(of: "\r\n\r\n")!.upperBound...]))
    }

    @Test("a scrape shows ring depths, control requests by kind with their times, and a revocation started then repossessed")
    func ringDepthsControlRequestsAndRevocations() throws {
        let daemon = try Self.daemon()
        let alice = try TenantDataPath(peer: try daemon.attachTenant("alice"))
        try alice.bindUDP(port: 7000)
        // Three packets wait on alice's rx ring: she does not consume them before the scrapes.
        daemon.receiveFromWire((0..<3).map {
            InProcessDaemon.packetFromWire(to: alice.address, port: 7000, payload: [UInt8]($0..<10))
        })
        let op = try daemon.attachOperator()
        let started = try op.call(ControlCalls.revoke(tenant: "alice", frames: 2, deadlineMillis: 500))
        #expect(started.held == 16 && started.target == 14)
        #expect(throws: Refused.self) { try op.call(ControlCalls.revoke(tenant: "mallory", frames: 1, deadlineMillis: 10)) }

        var text = try Self.scrape(daemon)
        #expect(text.value("exokernel_tenant_ring_entries", ["tenant": "alice", "ring": "rx"]) == 3)
        #expect(text.value("exokernel_tenant_ring_slots", ["tenant": "alice", "ring": "rx"]) == 64)
        #expect(text.value("exokernel_tenant_ring_entries", ["tenant": "alice", "ring": "tx"]) == 0)
        #expect(text.value("exokernel_tenant_ring_slots", ["tenant": "bob", "ring": "fill"]) == 0)
        #expect(text.value("exokernel_control_requests_total", ["kind": "hello", "outcome": "ok"]) == 2)
        #expect(text.value("exokernel_control_requests_total", ["kind": "openDataPath", "outcome": "ok"]) == 1)
        #expect(text.value("exokernel_control_requests_total", ["kind": "revoke", "outcome": "ok"]) == 1)
        #expect(text.value("exokernel_control_requests_total", ["kind": "revoke", "outcome": "error"]) == 1)
        let duration = "exokernel_control_request_duration_seconds"
        #expect(text.value(duration + "_count", ["kind": "revoke"]) == 2)
        #expect(text.value(duration + "_bucket", ["kind": "revoke", "le": "+Inf"]) == 2)
        #expect(try #require(text.value(duration + "_sum", ["kind": "revoke"])) > 0)
        #expect(text.value("exokernel_revocations_started_total", ["reason": "operatorRequest"]) == 1)
        #expect(text.value("exokernel_revocations_pending") == 1)
        #expect(text.value("exokernel_revocations_ended_total", ["outcome": "repossessed"]) == 0)

        // Alice ignores it: at the deadline the abort protocol takes two idle frames.
        daemon.advanceTime(by: 1_000_000_000)
        text = try Self.scrape(daemon)
        #expect(text.value("exokernel_revocations_pending") == 0)
        #expect(text.value("exokernel_revocations_ended_total", ["outcome": "repossessed"]) == 1)
        #expect(text.value("exokernel_revocations_ended_total", ["outcome": "returned"]) == 0)
        #expect(text.value("exokernel_revocation_frames_repossessed_total") == 2)
        #expect(text.value("exokernel_tenant_frames_held", ["tenant": "alice"]) == 14)
        #expect(text.value("exokernel_tenant_ring_entries", ["tenant": "alice", "ring": "rx"]) == 3)
        #expect(try alice.received().count == 3)
        text = try Self.scrape(daemon)
        #expect(text.value("exokernel_tenant_ring_entries", ["tenant": "alice", "ring": "rx"]) == 0)
    }

    @Test func wrongPathsAndMethodsAreAnsweredAndClosed() throws {
        let daemon = try Self.daemon()
        #expect(try ScrapeClient(daemon).exchange("GET / HTTP/1.1\r\nHost: x\r\n\r\n").hasPrefix("HTTP/1.1 404 "))
        let post = try ScrapeClient(daemon).exchange("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        #expect(post.hasPrefix("HTTP/1.1 405 ") && post.contains("\r\nAllow: GET, HEAD\r\n"))
        let big = try ScrapeClient(daemon).exchange("GET /metrics HTTP/1.1\r\nX: " + String(repeating: "y", count: 6000))
        #expect(big.hasPrefix("HTTP/1.1 431 "))
    }

    @Test func connectionsPastTheLimitAreAnswered503WhileTheOthersStayServed() throws {
        let daemon = try Self.daemon(maxConnections: 2)
        let idle = [try ScrapeClient(daemon), try ScrapeClient(daemon)]
        daemon.turn()
        let extra = try ScrapeClient(daemon).exchange(nil)
        #expect(extra.hasPrefix("HTTP/1.1 503 "))
        #expect(try idle[0].exchange("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").hasPrefix("HTTP/1.1 200 "))
    }

    @Test func aConnectionThatSendsNoWholeRequestInTimeIsAnswered408AndClosed() throws {
        let daemon = try Self.daemon(timeoutMilliseconds: 100)
        let slow = try ScrapeClient(daemon)
        try slow.send("GET /metr")
        daemon.turn()
        usleep(150_000)
        #expect(daemon.daemon.nextTimeoutMilliseconds() == 0)
        daemon.turn()
        #expect(try slow.exchange(nil).hasPrefix("HTTP/1.1 408 "))
    }
}

/// A scraper on loopback, driven between the daemon's turns (one thread: the test's).
final class ScrapeClient {
    let daemon: InProcessDaemon
    let fd: Int32

    init(_ daemon: InProcessDaemon) throws {
        self.daemon = daemon
        let port = try #require(daemon.daemon.metrics?.endpoint.port)
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw PeerFailure("connect to the metrics port failed: errno \(errno)") }
    }

    deinit { close(fd) }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard Glibc.send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { throw PeerFailure("send failed") }
    }

    /// Sends `request` (if any), then turns the daemon until it closes the connection; returns
    /// everything it sent.
    func exchange(_ request: String?) throws -> String {
        if let request { try send(request) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        for _ in 0..<200 {
            daemon.turn()
            while true {
                let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                if count > 0 { received += buffer[..<count]; continue }
                if count == 0 { return String(decoding: received, as: UTF8.self) }
                break
            }
            usleep(1_000)
        }
        throw PeerFailure("the daemon did not close the connection; got: \(String(decoding: received, as: UTF8.self))")
    }
}
