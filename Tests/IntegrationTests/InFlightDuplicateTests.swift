// A frame is in flight once: a tx descriptor for a frame already on a ring — earlier in the
// same batch, or on the fill ring — is dropped and reported as `alreadyInFlight`
// (docs/PROTOCOL.md §8.4), the frame goes out once and comes back on completion once.

import Foundation
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root for TAP devices and tenant uids"))
struct InFlightDuplicateTests {
    @Test func aFramePostedTwiceInOneBatchGoesOutOnceAndCompletesOnce() throws {
        let net = TapNet(second: 92, tapPrefix: "exodu")
        let daemon = try net.daemon()
        defer { daemon.stop() }
        let b = try daemon.attachedTenant("bob", uid: TestUIDs.bob)
        defer { b.quit() }
        try b.ok("dp-open 64")
        try b.ok("bind udp \(net.address(10)) 5100")
        let info = try b.ok("dp-info")
        let bobMAC = try TapNet.mac(of: net.address(10), in: info)
        let gatewayMAC = try PacketBuilder.mac(TenantProcess.value("gatewaymac", in: info) ?? "")
        try b.ok("alloc 20 21")
        try b.ok("map 20 21")
        let listener = try net.peerSocket()
        func datagram(_ payload: String) throws -> String {
            PacketBuilder.hex(try PacketBuilder.udpFrame(srcMAC: bobMAC, dstMAC: gatewayMAC, src: net.address(10),
                srcPort: 5100, dst: net.address(1), dstPort: Int(listener.port), payload: payload))
        }

        // Frame 20 twice in one tx batch.
        #expect(try b.ok("dp-send-raw 20 \(try datagram("TWICE")) 2") == "posted=2")
        #expect(try listener.receive(timeoutMilliseconds: 3000) == "TWICE", "\(daemon.log)")
        #expect(try listener.receive(timeoutMilliseconds: 500) == nil)
        #expect(try completions(b) == "frames=20")
        #expect(try b.ok("dp-faults") == "reports=1 faults=1 alreadyInFlight=1 other=0")

        // Frame 21 on the fill ring, then on tx: refused, not sent, not completed.
        try b.ok("dp-fill 21")
        #expect(try b.ok("dp-send-raw 21 \(try datagram("FILLED"))") == "posted=1")
        #expect(try listener.receive(timeoutMilliseconds: 500) == nil)
        #expect(try b.ok("dp-completions") == "frames=")
        #expect(try b.ok("dp-faults") == "reports=1 faults=1 alreadyInFlight=1 other=0")

        // Back from completion, frame 20 may be posted again, once.
        #expect(try b.ok("dp-send-raw 20 \(try datagram("AGAIN"))") == "posted=1")
        #expect(try listener.receive(timeoutMilliseconds: 3000) == "AGAIN")
        #expect(try completions(b) == "frames=20")

        let stats = try TapNet.stats(daemon, tenant: "bob")
        #expect(stats.drops == ["ring.alreadyInFlight": 2], "\(stats.drops)")
        #expect(stats.txPackets == 2)
    }

    /// The completions that arrive within 2 s (the daemon publishes them once its batch ends).
    private func completions(_ tenant: TenantProcess) throws -> String {
        let deadline = Date().addingTimeInterval(2)
        var answer = try tenant.ok("dp-completions")
        while answer == "frames=" && Date() < deadline {
            usleep(20_000)
            answer = try tenant.ok("dp-completions")
        }
        return answer
    }
}
