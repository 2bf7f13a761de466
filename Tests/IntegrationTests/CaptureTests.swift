// exoctl capture end to end: a capture of alice while alice and bob both talk to the host
// holds exactly alice's frames (tcpdump -r agrees), a second capture runs beside it and
// stops at --count, refusals are typed, and killing exoctl leaves the daemon serving.

import Foundation
import Glibc
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root for TAP devices and tenant uids"))
struct CaptureTests {
    /// A daemon with alice (udp .10:5000) and bob (udp .10:5100) bound and receiving.
    struct Setup {
        let net: TapNet
        let daemon: DaemonHarness
        let alice: TenantProcess
        let bob: TenantProcess

        init() throws {
            net = TapNet(second: 78, tapPrefix: "exocp")
            daemon = try net.daemon()
            alice = try daemon.attachedTenant("alice", uid: TestUIDs.alice)
            bob = try daemon.attachedTenant("bob", uid: TestUIDs.bob)
            try alice.openReceiving(frames: "0 1 2 3 4 5 6 7 8 9 10 11")
            try bob.openReceiving(frames: "20 21 22 23 24 25 26 27 28 29 30 31")
            try alice.ok("alloc 12 13 14 15")
            try alice.ok("map 12 13 14 15")
            try bob.ok("alloc 32 33 34 35")
            try bob.ok("map 32 33 34 35")
            try alice.ok("bind udp \(net.address(10)) 5000")
            try bob.ok("bind udp \(net.address(10)) 5100")
        }

        func close() {
            alice.quit()
            bob.quit()
            daemon.stop()
        }

        /// `rounds` datagrams each way between the host and each tenant; each tenant takes
        /// what it received off its rx ring. Payloads name tenant, direction and round.
        func talk(rounds: Int) throws {
            let host = try UDPSocket(address: net.address(1), port: 0)
            for round in 0..<rounds {
                try host.send("host-to-alice-\(round)", to: net.address(10), port: 5000)
                try host.send("host-to-bob-\(round)", to: net.address(10), port: 5100)
                try alice.ok("dp-send-udp \(12 + round % 4) \(net.address(10)) 5000 \(net.address(1)) \(host.port) alice-to-host-\(round)")
                try bob.ok("dp-send-udp \(32 + round % 4) \(net.address(10)) 5100 \(net.address(1)) \(host.port) bob-to-host-\(round)")
                for (tenant, name) in [(alice, "alice"), (bob, "bob")] {
                    let got = try tenant.ok("dp-recv 3000")
                    #expect(got.hasSuffix("payload=host-to-\(name)-\(round)"), "\(got)")
                    // The frame goes back on the fill ring for the next round.
                    if let frame = TenantProcess.value("frame", in: got) { try tenant.ok("dp-fill \(frame)") }
                }
                // Both datagrams reach the host (the tx frames come back on completion).
                #expect(try host.receive(timeoutMilliseconds: 3000) != nil)
                #expect(try host.receive(timeoutMilliseconds: 3000) != nil)
                _ = try alice.ok("dp-completions")
                _ = try bob.ok("dp-completions")
            }
        }
    }

    @Test func aCaptureHoldsExactlyOneTenantsFramesAndASecondStopsAtItsCount() throws {
        let setup = try Setup()
        defer { setup.close() }
        let everything = try CaptureProcess(setup.daemon, ["--tenant", "alice"], name: "alice")
        defer { everything.kill9() }
        let three = try CaptureProcess(setup.daemon, ["--tenant", "bob", "--count", "3", "--snaplen", "40"], name: "bob")
        defer { three.kill9() }
        try setup.talk(rounds: 4)
        usleep(200_000)

        // --count 3: bob's capture ended by itself after three frames, each cut to 40 bytes.
        #expect(three.waitForExit(seconds: 5) == 0)
        #expect(three.stderr.contains("ended (countReached): 3 frames written"))
        let bobRecords = try three.records()
        #expect(bobRecords.count == 3)
        #expect(bobRecords.allSatisfy { $0.bytes.count == 40 && $0.originalLength > 40 })

        // alice's capture: every frame she sent and received, none of bob's.
        #expect(everything.interrupt() == 0)
        let records = try everything.records()
        let texts = records.map { String(decoding: $0.bytes, as: UTF8.self) }
        #expect(records.count == 8, "\(texts)")
        for round in 0..<4 {
            #expect(texts.filter { $0.contains("alice-to-host-\(round)") }.count == 1)
            #expect(texts.filter { $0.contains("host-to-alice-\(round)") }.count == 1)
        }
        #expect(!texts.contains { $0.contains("bob") })
        #expect(records.allSatisfy { $0.originalLength == $0.bytes.count })
        let lines = try everything.tcpdump()
        #expect(lines.count == 8, "\(lines)")
        #expect(lines.filter { $0.contains("\(setup.net.address(10)).5000 > \(setup.net.address(1))") }.count == 4, "\(lines)")
        #expect(lines.filter { $0.contains("> \(setup.net.address(10)).5000: UDP") }.count == 4, "\(lines)")
        #expect(!lines.contains { $0.contains(".5100") })
    }

    @Test func capturesAreRefusedWithTypedErrors() throws {
        let setup = try Setup()
        defer { setup.close() }
        let op = try TenantProcess(socketPath: setup.daemon.socketPath, uid: nil)
        defer { op.quit() }
        try op.ok("attach-operator")
        #expect(try op.send("op-capture nobody 64") == "err unknownTenant")
        #expect(try op.send("op-capture alice 0") == "err badSnapLength")
        #expect(try op.send("op-capture alice 65001") == "err badSnapLength")
        #expect(try setup.alice.send("op-capture bob 64") == "err notOperator")
        #expect(try op.ok("op-capture alice 64").hasPrefix("capture="))
        let unknown = try runCommand(BuildProducts.path("exoctl"),
            ["capture", "--tenant", "nobody", "--socket", setup.daemon.socketPath])
        #expect(unknown.status == 1 && unknown.stderr.contains("no such tenant (code 109)"), "\(unknown)")
        let badSnap = try runCommand(BuildProducts.path("exoctl"),
            ["capture", "--tenant", "alice", "--snaplen", "0", "--socket", setup.daemon.socketPath])
        #expect(badSnap.status == 2, "\(badSnap)")
        // A tenant with no session: refused; once bob leaves, his capture is over.
        let bobs = try CaptureProcess(setup.daemon, ["--tenant", "bob"], name: "bob-until-detach")
        defer { bobs.kill9() }
        setup.bob.quit()
        #expect(bobs.waitForExit(seconds: 5) == 0)
        #expect(bobs.stderr.contains("ended (tenantDetached)"))
        #expect(try op.send("op-capture bob 64") == "err tenantNotAttached")
    }

    @Test func killingExoctlMidCaptureLeavesTheDaemonServing() throws {
        let setup = try Setup()
        defer { setup.close() }
        let doomed = try CaptureProcess(setup.daemon, ["--tenant", "alice"], name: "doomed")
        try setup.talk(rounds: 2)
        doomed.kill9()
        // The daemon notices the hangup and keeps serving: traffic flows and a new capture works.
        try setup.talk(rounds: 2)
        let next = try CaptureProcess(setup.daemon, ["--tenant", "alice", "--count", "2"], name: "next")
        defer { next.kill9() }
        try setup.talk(rounds: 1)
        #expect(next.waitForExit(seconds: 5) == 0)
        #expect(try next.records().count == 2)
        #expect(try DataPathTests.exoctl(setup.daemon, ["status"]).contains("sessions"))
        #expect(setup.daemon.process.isRunning)
        #expect(setup.daemon.log.contains("ended with its operator"), "\(setup.daemon.log)")
    }

    @Test func anOperatorThatDoesNotReadLosesFramesAndNeverStallsTheDataPath() throws {
        let setup = try Setup()
        defer { setup.close() }
        let op = try TenantProcess(socketPath: setup.daemon.socketPath, uid: nil)
        defer { op.quit() }
        try op.ok("attach-operator")
        #expect(try op.ok("op-capture alice 1500 0").hasPrefix("capture="))
        // alice sends while the operator reads nothing: its socket fills, frames are lost.
        let host = try UDPSocket(address: setup.net.address(1), port: 0)
        let sends = 600
        var arrived = 0
        for round in 0..<sends {
            try setup.alice.ok("dp-send-udp \(12 + round % 4) \(setup.net.address(10)) 5000 \(setup.net.address(1)) \(host.port) flood-\(round)-" + String(repeating: "x", count: 1_000))
            if round % 4 == 3 { _ = try setup.alice.ok("dp-completions") }
            if try host.receive(timeoutMilliseconds: 2000) != nil { arrived += 1 }
        }
        // Every datagram reached the host: the data path never waited for the operator.
        #expect(arrived == sends)
        setup.alice.quit()
        usleep(200_000)
        let summary = try op.ok("op-capture-summary")
        guard let frames = Int(TenantProcess.value("frames", in: summary) ?? ""),
            let captured = Int(TenantProcess.value("captured", in: summary) ?? ""),
            let lost = Int(TenantProcess.value("lost", in: summary) ?? "")
        else {
            Issue.record("no end event: \(summary)")
            return
        }
        #expect(summary.contains("ended=tenantDetached"), "\(summary)")
        #expect(frames == captured && captured + lost == sends && lost > 0, "\(summary)")
    }
}
