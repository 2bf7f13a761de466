// A tenant flooding its tx ring with bad descriptors: out of range, foreign, duplicated, too
// long. The daemon survives, counts each and reports them coalesced and rate-limited, and the
// other tenant keeps receiving. A flooder that never reads loses reports, not its session.

import Foundation
import Glibc
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root for TAP devices, tcpdump and tenant uids"))
struct HostileDescriptorTests {
    /// Descriptors the hostile tenant posts: 6 a round (outside the pool, A's frame 0, too
    /// long, length 0, the spoofed frame twice).
    static let count = 10_002
    static let rounds = count / 6

    @Test(arguments: Backend.allCases)
    func aFloodOfBadDescriptorsIsCountedReportedAndHarmsNoOne(_ backend: Backend) throws {
        let scene = try FloodScene(backend, second: 79, prefix: "exohd")
        defer { scene.close() }
        let flood = try scene.floodWhileAliceReceives("dp-hostile \(Self.count) 0 20 \(scene.spoof.count)")
        #expect(flood.answer.hasPrefix("ok posted=\(Self.count)"), "\(flood.answer)\n\(scene.daemon.log)")
        #expect(flood.lost.isEmpty, "\(flood.lost.prefix(5))")
        #expect(flood.delivered == flood.rounds && flood.delivered >= 20)

        // The daemon is up and serves both tenants. A descriptor of the spoofed frame is
        // `alreadyInFlight` when an earlier one of the same daemon batch still holds it in flight
        // (it comes back when the batch completes); otherwise the guard refuses it. B's reports
        // account for every ring fault, in far fewer records than faults.
        #expect(scene.daemon.process.isRunning)
        let stats = try TapNet.stats(scene.daemon, tenant: "bob")
        let duplicates = stats.drops["ring.alreadyInFlight"] ?? 0
        #expect(duplicates > 0 && duplicates < 2 * Self.rounds, "\(stats.drops)")
        let reports = try scene.collectFaultReports(expecting: 4 * Self.rounds + duplicates)
        #expect(reports.faults == 4 * Self.rounds + duplicates, "\(reports)")
        #expect(reports.reports >= 1 && reports.reports < reports.faults && reports.other == 0, "\(reports)")
        try scene.expectAliceStillReceivesAndNothingOfBobGotOut()

        // Every descriptor was dropped and counted by reason: the spoofed frame by the guard
        // (once before the flood, then whenever it was not in flight), the rest as ring faults.
        #expect(stats.txPackets == 0)
        #expect(stats.drops == [
            "ring.frameOutOfRange": Self.rounds, "ring.notHeldWritable": Self.rounds, "ring.badLength": 2 * Self.rounds,
            "ring.alreadyInFlight": duplicates, "tx.sourceAddressNotOwned": 2 * Self.rounds + 1 - duplicates,
        ])
        #expect(stats.totalDrops == Self.count + 1)
        #expect(try TapNet.stats(scene.daemon, tenant: "alice").totalDrops == 0)
    }

    // Ring and session handling only: the backend plays no part, so this runs on the TAP alone.
    @Test func aFlooderThatNeverReadsItsEventsLosesReportsNotItsSession() throws {
        let scene = try FloodScene(.tap, second: 80, prefix: "exohe")
        defer { scene.close() }
        let flood = try scene.floodWhileAliceReceives("dp-hostile \(Self.count) 0 20 \(scene.spoof.count) deaf")
        // Its reports are coalesced while its queue holds unread records: the daemon never
        // queues more, so the session lives and the whole flood is served.
        #expect(flood.answer.hasPrefix("ok posted=\(Self.count)"), "\(flood.answer)\n\(scene.daemon.log)")
        #expect(!scene.daemon.log.contains("(tenant bob, pid \(scene.b.pid) uid \(TestUIDs.bob)) ended"), "\(scene.daemon.log)")
        #expect(flood.lost.isEmpty, "\(flood.lost.prefix(5))")
        #expect(flood.delivered == flood.rounds && flood.delivered >= 20)
        #expect(scene.daemon.process.isRunning)
        try scene.expectAliceStillReceivesAndNothingOfBobGotOut()
        // Once it reads, the reports it gets still account for every fault; most were coalesced.
        let stats = try TapNet.stats(scene.daemon, tenant: "bob")
        #expect(stats.txPackets == 0 && stats.totalDrops == Self.count + 1)
        let faults = 4 * Self.rounds + (stats.drops["ring.alreadyInFlight"] ?? 0)
        let reports = try scene.collectFaultReports(expecting: faults)
        #expect(reports.faults == faults && reports.reports * 10 < reports.faults, "\(reports)")
        let usage = try TapNet.tenantUsage(scene.daemon, tenant: "bob", resource: "faultReports")
        #expect(usage.refused == UInt64(reports.faults - reports.reports), "\(usage)")
    }
}

/// Alice receiving on her port of the shared address, Bob holding frame 20 with a datagram
/// spoofed from Alice's address to the host's `listener`, and a capture on the host kernel's
/// end of the wire. Call `close()` (also on failure: use `defer`).
final class FloodScene: @unchecked Sendable {
    let net: any TestNet
    let daemon: DaemonHarness
    let a: TenantProcess
    let b: TenantProcess
    let host: UDPSocket
    let listener: UDPSocket
    let capture: PacketCapture
    let spoof: [UInt8]

    init(_ backend: Backend, second: Int, prefix: String) throws {
        net = try backend.net(second: second, prefix: prefix)
        do { daemon = try net.daemon() } catch {
            net.remove()
            throw error
        }
        var started: [TenantProcess] = []
        do {
            a = try TenantProcess(socketPath: daemon.socketPath, uid: TestUIDs.alice)
            started.append(a)
            b = try TenantProcess(socketPath: daemon.socketPath, uid: TestUIDs.bob)
            started.append(b)
            try a.ok("attach alice")
            try b.ok("attach bob")
            try a.ok("dp-open 64")
            try b.ok("dp-open 64")
            try a.ok("alloc 0 1 2 3 4 5 6 7")
            try a.ok("map 0 1 2 3 4 5 6 7")
            try a.ok("dp-fill 0 1 2 3 4 5 6 7")
            try a.ok("bind udp \(net.address(10)) 5000")
            let bInfo = try b.ok("dp-info")
            let bobMAC = try TapNet.mac(of: net.address(10), in: bInfo)
            let gatewayMAC = try PacketBuilder.mac(TenantProcess.value("gatewaymac", in: bInfo) ?? "")
            try b.ok("alloc 20")
            try b.ok("map 20")
            host = try net.peerSocket()
            listener = try net.peerSocket()
            spoof = try PacketBuilder.udpFrame(srcMAC: bobMAC, dstMAC: gatewayMAC, src: net.address(2), srcPort: 5000,
                dst: net.address(1), dstPort: Int(listener.port), payload: "HOSTILE-SPOOF")
            capture = try net.capture(directory: daemon.directory)
        } catch {
            started.forEach { $0.quit() }
            daemon.stop()
            net.remove()
            throw error
        }
        // Posted once here; the flood posts it again and again.
        do { try b.ok("dp-send-raw 20 \(PacketBuilder.hex(spoof))") } catch {
            close()
            throw error
        }
    }

    /// What B's fault reports add up to: records received and faults they stand for.
    struct FaultReports {
        var reports = 0
        var faults = 0
        var other = 0
    }

    /// Reads B's fault reports (`dp-faults`) until they account for `expected` faults or 3 s
    /// pass: the last waiting report goes out when the rate allows.
    func collectFaultReports(expecting expected: Int) throws -> FaultReports {
        var total = FaultReports()
        let deadline = Date().addingTimeInterval(3)
        repeat {
            let answer = try b.ok("dp-faults")
            total.reports += Int(TenantProcess.value("reports", in: answer) ?? "0") ?? 0
            total.faults += Int(TenantProcess.value("faults", in: answer) ?? "0") ?? 0
            total.other += Int(TenantProcess.value("other", in: answer) ?? "0") ?? 0
            if total.faults >= expected { break }
            usleep(20_000)
        } while Date() < deadline
        return total
    }

    func close() {
        capture.stop()
        a.quit()
        b.quit()
        daemon.stop()
        net.remove()
    }

    /// The outcome of a flood: B's answer, and A's datagrams delivered and lost meanwhile.
    struct Flood {
        var answer: String
        var rounds: Int
        var delivered: Int
        var lost: [String]
    }

    /// Runs `command` on B on another thread while the host sends datagrams to A and A
    /// receives each (at least 20, then until B answers).
    func floodWhileAliceReceives(_ command: String) throws -> Flood {
        final class Answer: @unchecked Sendable {
            let done = DispatchSemaphore(value: 0)
            var text = ""
        }
        let answer = Answer()
        let b = self.b
        DispatchQueue.global().async {
            answer.text = (try? b.send(command)) ?? "err client"
            answer.done.signal()
        }
        var flood = Flood(answer: "", rounds: 0, delivered: 0, lost: [])
        var finished = false
        while flood.rounds < 20 || !finished {
            finished = finished || answer.done.wait(timeout: .now()) == .success
            guard flood.rounds < 5000 else { break }
            let text = "to-alice-\(flood.rounds)"
            try host.send(text, to: net.address(10), port: 5000)
            let received = try a.send("dp-recv 3000")
            if received.hasSuffix("payload=\(text)"), let frame = TenantProcess.value("frame", in: received) {
                flood.delivered += 1
                try a.ok("dp-fill \(frame)")
            } else {
                flood.lost.append(received)
            }
            flood.rounds += 1
        }
        if !finished { answer.done.wait() }
        flood.answer = answer.text
        return flood
    }

    /// A still gets the host's datagrams; the host's listener and the capture saw nothing of
    /// B's (the capture did see the host's datagrams to A). Stops the capture.
    func expectAliceStillReceivesAndNothingOfBobGotOut() throws {
        try host.send("after-flood", to: net.address(10), port: 5000)
        #expect(try a.ok("dp-recv 3000").hasSuffix("payload=after-flood"))
        #expect(try listener.receive(timeoutMilliseconds: 300) == nil)
        capture.stop()
        let captured = try capture.frames()
        let text = try capture.text()
        #expect(captured.contains { $0.contains(run: Array("after-flood".utf8)) }, "\(text)")
        #expect(!captured.contains { $0.contains(run: Array("HOSTILE-SPOOF".utf8)) }, "\(text)")
    }
}
