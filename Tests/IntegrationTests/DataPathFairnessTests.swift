// Issue 13, fairness under overload: one tenant sends and receives as fast as it can and
// floods the control socket; with `[limits]` rates set, another tenant's UDP echo round trips
// stay within 2× of their unloaded median, and `exoctl status` answers within 100 ms.

import Foundation
import Glibc
import Synchronization
import Testing

// Run alone, after the suite (scripts/test.sh sets EXOKERNEL_FAIRNESS=1 for a second, filtered
// run): it compares medians of round trips, which under the suite's parallel load measure the
// load, not the daemon. Bob's rate is 10,000 packets a second each way; the host offers him
// twice that. Measured on this 2-core machine, idle, debug build (2026-12-03): Alice's echo
// median 1.0-1.4x its quiet median, `exoctl status` (the whole command, process start included)
// 32-42 ms median, 170-230 ms at worst. At 20,000 a second each way the host's 40,000 packets
// a second to Bob overflow the TAP's queue before the daemon reads them (one read per packet),
// so Alice's packets are lost in the kernel, before any per-tenant rate can apply: the ceiling
// of a debug daemon on a TAP here, not a fairness rule (docs/SECURITY.md, "Fairness").
// EXOKERNEL_FAIRNESS_RATE sets another rate.
@Suite(
    .serialized, .enabled(if: getuid() == 0, "needs root for TAP devices and tenant uids"),
    .enabled(if: ProcessInfo.processInfo.environment["EXOKERNEL_FAIRNESS"] == "1", "EXOKERNEL_FAIRNESS=1 runs it"))
struct DataPathFairnessTests {
    /// What the flood left.
    struct Outcome: Sendable {
        var quietMedian: Double
        var loadedMedian: Double
        var statusMedian: Double
        var bobSent: UInt64
        var bobReceived: UInt64
        var txRateLimited: UInt64
        var rxRateLimited: UInt64
        var summary: String
    }

    @Test func aTenantAtItsMaximumLeavesAnotherTenantsEchoAndTheOperatorServed() async throws {
        let outcome = try await withCheckedThrowingContinuation { (done: CheckedContinuation<Outcome, any Error>) in
            Thread.detachNewThread {
                do { done.resume(returning: try Self.flood()) } catch { done.resume(throwing: error) }
            }
        }
        print(outcome.summary)
        // Bob was at his maximum both ways: what he received past his rate was dropped and
        // counted; what he sent past it waited on his own ring (no drop needed).
        #expect(outcome.rxRateLimited > 0, "\(outcome.summary)")
        #expect(Double(outcome.bobSent) <= Double(Self.rate) * 1.3 * Double(Self.seconds), "\(outcome.summary)")
        #expect(outcome.bobSent > 0 && outcome.bobReceived > 0, "\(outcome.summary)")
        #expect(outcome.loadedMedian <= 2 * outcome.quietMedian, "\(outcome.summary)")
        #expect(outcome.statusMedian <= 0.1, "\(outcome.summary)")
    }

    /// Bob's rates: 10,000 packets a second each way unless EXOKERNEL_FAIRNESS_RATE says.
    static let rate = Int(ProcessInfo.processInfo.environment["EXOKERNEL_FAIRNESS_RATE"] ?? "") ?? 10_000
    /// How long Bob's sender runs (the measurement takes the middle of it).
    static let seconds = 8

    static func flood() throws -> Outcome {
        let net = TapNet(second: 97, tapPrefix: "exofr")
        let limits = "\n[limits]\ntx_packets_per_second = \(rate)\nrx_packets_per_second = \(rate)\n"
        let daemon = try DaemonHarness(
            tenants: [("alice", TestUIDs.alice, 300), ("bob", TestUIDs.bob, 600)], frames: 1000,
            environment: ["EXOKERNEL_TAP": net.tap], tenantExtra: net.tenantExtra, tail: limits + net.nic)
        defer { daemon.stop() }
        let echo = try EchoProcess(daemon, tenant: "alice", uid: TestUIDs.alice, address: net.address(2), port: 7)
        defer { echo.stop() }
        try echo.waitUntilReady()
        let host = try net.peerSocket()
        let quiet = try FloodIsolationTests.echoRoundTrips(host, to: net.address(2), count: 300)
        let hostMAC = try String(contentsOfFile: "/sys/class/net/\(net.tap)/address", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)

        // Bob: a receiver bound to 5101, the host's kernel sending to it as fast as it can, a
        // sender on his data path as fast as it can, and a session binding and unbinding in a
        // loop. Bob's own processes (and the host's sender, which stands for the wire) run at
        // the lowest CPU priority: the CPU they burn is the kernel's to share, not the daemon's.
        // Sending, he is far past his rate; receiving, the host's paced sender below.
        let bobAddress = net.address(10)
        let sink = try StartedClient(
            "udp-sink",
            ["--tenant", "bob", "--socket", daemon.socketPath, "--as-uid", String(TestUIDs.bob), "--address", bobAddress,
             "--port", "5101", "--frames", "256", "--ring-capacity", "256", "--max-seconds", "30"],
            until: "udp-sink: ready", in: daemon.directory)
        defer { sink.stop() }
        let blast = try StartedClient(
            "udp-blast",
            ["--tenant", "bob", "--socket", daemon.socketPath, "--as-uid", String(TestUIDs.bob), "--address", bobAddress,
             "--port", "5100", "--to", "\(net.address(1)):9", "--destination-mac", hostMAC, "--frames", "256",
             "--ring-capacity", "256", "--seconds", String(seconds + 2)],
            until: "udp-blast: ready", in: daemon.directory)
        defer { blast.stop() }
        // The host sends to Bob's receiver at twice his rate: more than he may receive, less
        // than the link carries (a sender faster than the daemon reads the TAP would fill the
        // TAP's queue, and the wire's loss would be everybody's, not the daemon's to share).
        let hostAddress = net.address(1)
        let stop = Atomic<Bool>(false)
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            // Linux: PRIO_PROCESS with 0 is the calling thread alone.
            setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
            guard let wire = try? UDPSocket(address: hostAddress, port: 40_001) else { return }
            let perTick = 2 * rate / 100
            var next = Date()
            while !stop.load(ordering: .relaxed) {
                for _ in 0..<perTick { try? wire.send("to-bob", to: bobAddress, port: 5101) }
                next = next.addingTimeInterval(0.01)
                let wait = next.timeIntervalSinceNow
                if wait > 0 { usleep(UInt32(wait * 1e6)) }
            }
        }
        let control = try daemon.attachedTenant("bob", uid: TestUIDs.bob)
        defer { control.quit() }
        for pid in [sink.pid, blast.pid, control.pid] {
            setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(pid), 19)
        }
        let controlRequests = Atomic<Int>(0)
        DispatchQueue.global().async(group: group) {
            while !stop.load(ordering: .relaxed) {
                _ = try? control.send("bind-flood udp \(bobAddress) 5150 40")
                for port in 5150..<5190 { _ = try? control.send("unbind udp \(bobAddress) \(port)") }
                controlRequests.add(80, ordering: .relaxed)
            }
        }
        defer {
            stop.store(true, ordering: .relaxed)
            group.wait()
        }

        // Under the flood: echo round trips, and exoctl status timed (the whole command).
        usleep(500_000)
        var loaded: [Double] = []
        var status: [Double] = []
        let start = Date()
        while Date().timeIntervalSince(start) < Double(seconds - 2) {
            do {
                loaded += try FloodIsolationTests.echoRoundTrips(host, to: net.address(2), count: 50)
            } catch {
                let stats = try runCommand(BuildProducts.path("exoctl"), ["stats", "--json", "--socket", daemon.socketPath])
                let nic = try runCommand(BuildProducts.path("exoctl"), ["nic", "--json", "--socket", daemon.socketPath])
                throw HarnessError("under the flood: \(error)\n\(stats.stdout)\n\(nic.stdout)\n\(echo.output)")
            }
            let asked = Date()
            let answer = try runCommand(BuildProducts.path("exoctl"), ["status", "--socket", daemon.socketPath])
            status.append(Date().timeIntervalSince(asked))
            if answer.status != 0 { throw HarnessError("exoctl status failed under the flood: \(answer.stderr)") }
        }
        let stats = try runCommand(BuildProducts.path("exoctl"), ["stats", "--json", "--socket", daemon.socketPath])
        stop.store(true, ordering: .relaxed)
        group.wait()
        let quietAfter = try FloodIsolationTests.echoRoundTrips(host, to: net.address(2), count: 300)

        let bob = try Self.tenantStats("bob", in: stats.stdout)
        let drops = bob["drops"] as? [String: Int] ?? [:]
        func drop(_ name: String) -> UInt64 { UInt64(drops[name] ?? 0) }
        let quietMedian = FloodIsolationTests.median(quiet + quietAfter)
        let loadedMedian = FloodIsolationTests.median(loaded)
        let statusMedian = FloodIsolationTests.median(status)
        let summary = """
            data-path flood of \(seconds - 2) s: alice's echo median \(FloodIsolationTests.format(quietMedian)) quiet, \
            \(FloodIsolationTests.format(loadedMedian)) under the flood (p90 \
            \(FloodIsolationTests.format(FloodIsolationTests.quantile(loaded, 0.9))), \(loaded.count) round trips), \
            ratio \(String(format: "%.2f", loadedMedian / quietMedian)); exoctl status median \
            \(String(format: "%.1f", statusMedian * 1000)) ms (max \(String(format: "%.1f", (status.max() ?? 0) * 1000)) ms, \
            \(status.count) runs); bob: \(bob["txPackets"] ?? 0) sent, \(bob["rxPackets"] ?? 0) received, \
            tx.rateLimited \(drop("tx.rateLimited")), rx.rateLimited \(drop("rx.rateLimited")), \
            \(controlRequests.load(ordering: .relaxed)) control requests
            """
        return Outcome(
            quietMedian: quietMedian, loadedMedian: loadedMedian, statusMedian: statusMedian,
            bobSent: UInt64(bob["txPackets"] as? Int ?? 0), bobReceived: UInt64(bob["rxPackets"] as? Int ?? 0),
            txRateLimited: drop("tx.rateLimited"), rxRateLimited: drop("rx.rateLimited"), summary: summary)
    }

    /// The tenant's entry of `exoctl stats --json`.
    static func tenantStats(_ name: String, in json: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
            let tenants = object["tenants"] as? [[String: Any]],
            let entry = tenants.first(where: { $0["tenant"] as? String == name })
        else { throw HarnessError("no stats for \(name) in \(json)") }
        return entry
    }
}
