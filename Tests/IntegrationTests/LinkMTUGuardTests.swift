// The egress guard bounds frames by the link's MTU on both backends: a well-formed 1515-byte
// frame does not leave an MTU-1500 link (the TAP would carry it), it is counted as
// `tx.tooLongForLink`, and the bound follows the link when its MTU is raised and lowered.

import Foundation
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root for TAP devices, veth pairs and tenant uids"))
struct LinkMTUGuardTests {
    @Test(arguments: Backend.allCases)
    func framesOverTheLinkMTUAreRefusedAndTheBoundFollowsTheLink(_ backend: Backend) throws {
        let net = try backend.net(second: 91, prefix: "exomt")
        defer { net.remove() }
        let daemon = try net.daemon()
        defer { daemon.stop() }
        let b = try daemon.attachedTenant("bob", uid: TestUIDs.bob)
        defer { b.quit() }
        try b.ok("dp-open 64")
        try b.ok("bind udp \(net.address(10)) 5100")
        let info = try b.ok("dp-info")
        let bobMAC = try TapNet.mac(of: net.address(10), in: info)
        let gatewayMAC = try PacketBuilder.mac(TenantProcess.value("gatewaymac", in: info) ?? "")
        try b.ok("alloc 20 21 22")
        try b.ok("map 20 21 22")
        let listener = try net.peerSocket()
        /// A valid datagram from bob's share to the host, `length` bytes as a frame.
        func frame(_ marker: String, length: Int) throws -> [UInt8] {
            let payload = marker + String(repeating: "x", count: length - 42 - marker.count)
            return try PacketBuilder.udpFrame(srcMAC: bobMAC, dstMAC: gatewayMAC, src: net.address(10), srcPort: 5100,
                dst: net.address(1), dstPort: Int(listener.port), payload: payload)
        }

        // MTU 1500: 1514 bytes leave, 1515 do not.
        try b.ok("dp-send-raw 20 \(PacketBuilder.hex(try frame("FITS", length: 1514)))")
        #expect(try listener.receive(timeoutMilliseconds: 3000)?.hasPrefix("FITS") == true, "\(daemon.log)")
        try b.ok("dp-send-raw 21 \(PacketBuilder.hex(try frame("OVER", length: 1515)))")
        #expect(try listener.receive(timeoutMilliseconds: 500) == nil)
        var stats = try TapNet.stats(daemon, tenant: "bob")
        #expect(stats.drops == ["tx.tooLongForLink": 1], "\(stats.drops)")
        #expect(stats.txPackets == 1)

        // The link's MTU raised to 1600 (both ends of a veth): the same frame now leaves.
        try setMTU(1600, net: net, daemon: daemon)
        try b.ok("dp-send-raw 21 \(PacketBuilder.hex(try frame("RAISED", length: 1515)))")
        #expect(try listener.receive(timeoutMilliseconds: 3000)?.hasPrefix("RAISED") == true, "\(daemon.log)")

        // Lowered again to 1400: a 1415-byte frame is refused, whatever the frame size allows.
        try setMTU(1400, net: net, daemon: daemon)
        try b.ok("dp-send-raw 22 \(PacketBuilder.hex(try frame("LOWERED", length: 1415)))")
        #expect(try listener.receive(timeoutMilliseconds: 500) == nil)
        stats = try TapNet.stats(daemon, tenant: "bob")
        #expect(stats.drops == ["tx.tooLongForLink": 2], "\(stats.drops)")
        #expect(stats.txPackets == 2)
    }

    /// Sets the MTU of the daemon's link (and of the peer's end of a veth) and waits until the
    /// daemon has noticed.
    private func setMTU(_ mtu: Int, net: any TestNet, daemon: DaemonHarness) throws {
        let changes = daemon.log.components(separatedBy: "MTU changed").count
        if net.backend == .packet {
            // The peer's end too: a veth drops what is longer than the receiving end's MTU.
            let peer = try net.peerCommand("/usr/sbin/ip", ["link", "set", net.peerLink, "mtu", String(mtu)])
            guard peer.status == 0 else { throw HarnessError("ip (peer): \(peer.stderr)") }
        }
        let own = try runCommand("/usr/sbin/ip", ["link", "set", net.daemonLink, "mtu", String(mtu)])
        guard own.status == 0 else { throw HarnessError("ip: \(own.stderr)") }
        let deadline = Date().addingTimeInterval(5)
        while daemon.log.components(separatedBy: "MTU changed").count == changes {
            guard Date() < deadline else { throw HarnessError("daemon never saw MTU \(mtu): \(daemon.log)") }
            usleep(20_000)
        }
    }
}
