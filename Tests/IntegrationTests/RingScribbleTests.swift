// The most hostile tenant of all: it rewrites its whole ring region at random while the daemon
// reads it, and tries to unref frames it has on its rings. The daemon neither crashes nor lets
// anything spoofed out, the frames stay held, and another tenant's traffic keeps flowing.

import Foundation
import Testing

@Suite(.enabled(if: getuid() == 0, "needs root for TAP devices and tenant uids"))
struct RingScribbleTests {
    @Test(arguments: Backend.allCases)
    func concurrentlyRewrittenRingsAndUnrefOfFramesInFlight(_ backend: Backend) throws {
        let net = try backend.net(second: 83, prefix: "exosc")
        defer { net.remove() }
        let daemon = try net.daemon()
        defer { daemon.stop() }
        let a = try daemon.attachedTenant("alice", uid: TestUIDs.alice)
        defer { a.quit() }
        let b = try daemon.attachedTenant("bob", uid: TestUIDs.bob)
        defer { b.quit() }
        try a.openReceiving(frames: "0 1 2 3 4 5 6 7")
        try a.ok("bind udp \(net.address(10)) 5000")

        try b.openReceiving(frames: "30 31 32 33")
        // Frames the daemon took from a ring carry an in-flight reference: they cannot be
        // unreffed meanwhile. (It takes them after the kick: wait for that, or a loaded
        // machine lets the unref win the race.)
        try Self.waitUntilInFlight(frame: 30, of: "bob", daemon)
        #expect(try b.send("unref 30").hasPrefix("err frameInFlight"))
        // B leaves a spoofed frame (A's source address) in frame 40 for random descriptors to hit.
        try b.ok("alloc 40")
        try b.ok("map 40")
        let listener = try net.peerSocket()
        try b.ok("dp-send-udp 40 \(net.address(2)) 5000 \(net.address(1)) \(listener.port) spoofed")

        // B scribbles over its rings for 1.5 s while the host keeps sending to A.
        let scribbler = Thread { _ = try? b.send("dp-scribble 1500") }
        scribbler.start()
        let host = try net.peerSocket()
        var delivered = 0
        for i in 0..<10 {
            try host.send("to-alice-\(i)", to: net.address(10), port: 5000)
            let got = try a.send("dp-recv 2000")
            if got.contains("payload=to-alice-\(i)") { delivered += 1 }
            if let frame = TenantProcess.value("frame", in: got) { try a.ok("dp-fill \(frame)") }
            usleep(100_000)
        }
        while scribbler.isExecuting { usleep(20_000) }
        #expect(delivered == 10, "A got \(delivered) of 10 during B's scribbling\n\(daemon.log)")
        #expect(kill(daemon.pid, 0) == 0, "daemon died: \(daemon.log)")
        // The daemon did read B's garbage (and refused it): B's drops are counted, none sent.
        // (One can be all: the first unbelievable ring index stops the daemon serving B's
        // path, and on a fast run that comes before any garbage descriptor.)
        let bStats = try TapNet.stats(daemon, tenant: "bob")
        #expect(bStats.totalDrops >= 1, "\(bStats.drops)")
        #expect(bStats.txPackets == 0)
        // Nothing spoofed reached the host, and B still holds its frames.
        #expect(try listener.receive(timeoutMilliseconds: 500) == nil)
        let frames = try runCommand(BuildProducts.path("exoctl"), ["frames", "--tenant", "bob", "--json", "--socket", daemon.socketPath])
        #expect(frames.status == 0)
        #expect(frames.stdout.contains("\"frame\":30"), "\(frames.stdout)")
        // The daemon still serves A's data path.
        try host.send("after", to: net.address(10), port: 5000)
        #expect(try a.ok("dp-recv 2000").contains("payload=after"))
    }

    /// Waits (5 s at most) until `exoctl frames` shows `frame` of `tenant` in flight.
    static func waitUntilInFlight(frame: Int, of tenant: String, _ daemon: DaemonHarness) throws {
        let deadline = Date().addingTimeInterval(5)
        var last = ""
        while Date() < deadline {
            last = try DataPathTests.exoctl(daemon, ["frames", "--tenant", tenant, "--json"])
            let root = try JSONSerialization.jsonObject(with: Data(last.utf8))
            let frames = (root as? [[String: Any]]) ?? ((root as? [String: Any])?["frames"] as? [[String: Any]]) ?? []
            if frames.contains(where: { $0["frame"] as? Int == frame && ($0["inFlight"] as? Int ?? 0) > 0 }) { return }
            usleep(20_000)
        }
        throw HarnessError("frame \(frame) of \(tenant) never went in flight: \(last)")
    }
}
