// Hairpin delivery end to end: tenants of one daemon reach each other through the daemon
// (UDP both ways, to a port share and to a whole address), byte for byte; the guard still
// stops a spoofed frame; ARP and echo for the shared address are answered to the sender;
// a broadcast ARP reaches its owner and the wire; nothing delivered locally reaches the host.

import Foundation
import Glibc
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root for TAP devices and tenant uids"))
struct HairpinTests {
    @Test func tenantsReachEachOtherThroughTheDaemonAndTheGuardStillDecides() throws {
        let net = TapNet(second: 79, tapPrefix: "exohp")
        var extra = net.tenantExtra
        extra["carol"] = "addresses = [\"\(net.address(3))\"]"
        let daemon = try DaemonHarness(
            tenants: [("alice", TestUIDs.alice, 64), ("bob", TestUIDs.bob, 64), ("carol", TestUIDs.carol, 64)],
            environment: ["EXOKERNEL_TAP": net.tap], tenantExtra: extra, tail: net.nic)
        defer { daemon.stop() }
        let a = try daemon.attachedTenant("alice", uid: TestUIDs.alice)
        defer { a.quit() }
        let b = try daemon.attachedTenant("bob", uid: TestUIDs.bob)
        defer { b.quit() }
        let c = try daemon.attachedTenant("carol", uid: TestUIDs.carol)
        defer { c.quit() }
        try a.openReceiving(frames: "0 1 2 3 4 5 6 7")
        try b.openReceiving(frames: "20 21 22 23 24 25 26 27")
        try c.ok("dp-open 64")
        try a.ok("alloc 8 9 10 11")
        try a.ok("map 8 9 10 11")
        try b.ok("alloc 28 29 30")
        try b.ok("map 28 29 30")
        try c.ok("alloc 40")
        try c.ok("map 40")
        let shared = net.address(10), aliceHome = net.address(2)
        try a.ok("bind udp \(shared) 5000")
        try a.ok("bind addr \(aliceHome)")
        try b.ok("bind udp \(shared) 5100")
        let info = try a.ok("dp-info")
        let daemonMAC = try TapNet.mac(of: shared, in: info)
        let aliceMAC = try TapNet.mac(of: aliceHome, in: info)
        let carolMAC = try TapNet.mac(of: net.address(3), in: try c.ok("dp-info"))
        let wire = try PacketCapture(interface: net.tap, directory: daemon.directory)
        defer { wire.stop() }

        // alice → bob (port share to port share) and back, and bob → alice's whole address:
        // each arrives exactly as sent, UDP checksum included.
        let toBob = try PacketBuilder.checksummedUDP(srcMAC: daemonMAC, dstMAC: daemonMAC, src: shared, srcPort: 5000,
            dst: shared, dstPort: 5100, payload: "hairpin-alice-to-bob")
        try a.ok("dp-send-raw 8 \(PacketBuilder.hex(toBob))")
        let atBob = try PacketBuilder.received(try b.ok("dp-recv-hex 3000"))
        #expect(atBob == toBob, "\(daemon.log)")
        #expect(PacketBuilder.udpChecksumIsValid(atBob))
        let toAlice = try PacketBuilder.checksummedUDP(srcMAC: daemonMAC, dstMAC: daemonMAC, src: shared, srcPort: 5100,
            dst: shared, dstPort: 5000, payload: "hairpin-bob-to-alice")
        try b.ok("dp-send-raw 28 \(PacketBuilder.hex(toAlice))")
        #expect(try PacketBuilder.received(try a.ok("dp-recv-hex 3000")) == toAlice)
        let toHome = try PacketBuilder.checksummedUDP(srcMAC: daemonMAC, dstMAC: aliceMAC, src: shared, srcPort: 5101,
            dst: aliceHome, dstPort: 7000, payload: "hairpin-bob-to-home")
        try b.ok("dp-send-raw 29 \(PacketBuilder.hex(toHome))")
        let atHome = try PacketBuilder.received(try a.ok("dp-recv-hex 3000"))
        #expect(atHome == toHome)
        #expect(PacketBuilder.udpChecksumIsValid(atHome))

        // bob spoofs alice's port: the guard denies it before any delivery.
        let spoofed = try PacketBuilder.checksummedUDP(srcMAC: daemonMAC, dstMAC: daemonMAC, src: shared, srcPort: 5001,
            dst: shared, dstPort: 5000, payload: "hairpin-spoofed")
        try b.ok("dp-send-raw 30 \(PacketBuilder.hex(spoofed))")
        #expect(try a.send("dp-recv-hex 500") == "err timeout")

        // ARP and echo for the shared address: the daemon answers into alice's rx.
        let arp = try PacketBuilder.arpRequest(srcMAC: aliceMAC, sender: aliceHome, target: shared, marker: "hairpin-arp")
        try a.ok("dp-send-raw 9 \(PacketBuilder.hex(arp))")
        let arpReply = try PacketBuilder.received(try a.ok("dp-recv-hex 3000"))
        let sharedBytes = try PacketBuilder.ipv4(shared), homeBytes = try PacketBuilder.ipv4(aliceHome)
        #expect(Array(arpReply[0..<6]) == aliceMAC && Array(arpReply[6..<12]) == daemonMAC)
        #expect(Array(arpReply[12..<14]) == [0x08, 0x06] && Array(arpReply[20..<22]) == [0, 2])
        #expect(Array(arpReply[22..<28]) == daemonMAC && Array(arpReply[28..<32]) == sharedBytes)
        #expect(Array(arpReply[32..<38]) == aliceMAC && Array(arpReply[38..<42]) == homeBytes)
        let ping = try PacketBuilder.echoRequest(srcMAC: aliceMAC, dstMAC: daemonMAC, src: aliceHome, dst: shared,
            payload: "hairpin-echo")
        try a.ok("dp-send-raw 10 \(PacketBuilder.hex(ping))")
        let pong = try PacketBuilder.received(try a.ok("dp-recv-hex 3000"))
        #expect(Array(pong[0..<6]) == aliceMAC && Array(pong[6..<12]) == daemonMAC)
        #expect(Array(pong[26..<30]) == sharedBytes && Array(pong[30..<34]) == homeBytes)
        #expect(pong[34] == 0 && Array(pong[38...]) == Array(ping[38...]))
        #expect(PacketBuilder.checksum(Array(pong[14..<34])) == [0, 0] && PacketBuilder.checksum(Array(pong[34...])) == [0, 0])

        // carol's broadcast ARP for alice's whole address reaches alice and the wire.
        let who = try PacketBuilder.arpRequest(srcMAC: carolMAC, sender: net.address(3), target: aliceHome,
            marker: "hairpin-bcast")
        try c.ok("dp-send-raw 40 \(PacketBuilder.hex(who))")
        #expect(try PacketBuilder.received(try a.ok("dp-recv-hex 3000")) == who)

        // Counters: hairpinned frames are the sender's tx and the receiver's rx.
        usleep(200_000)
        let aliceStats = try TapNet.stats(daemon, tenant: "alice")
        let bobStats = try TapNet.stats(daemon, tenant: "bob")
        #expect(aliceStats.txPackets == 3 && aliceStats.rxPackets == 5, "\(aliceStats)")
        #expect(bobStats.txPackets == 2 && bobStats.rxPackets == 1 && bobStats.drops["tx.sourcePortNotGranted"] == 1,
            "\(bobStats)")
        wire.stop()
        let frames = try wire.frames()
        // Only the broadcast left the daemon; nothing delivered locally reached the host.
        let wireText = try wire.text()
        #expect(frames.contains { $0.contains(run: Array("hairpin-bcast".utf8)) }, "\(wireText)")
        for marker in ["hairpin-alice-to-bob", "hairpin-bob-to-alice", "hairpin-bob-to-home", "hairpin-spoofed",
            "hairpin-arp", "hairpin-echo"]
        {
            #expect(!frames.contains { $0.contains(run: Array(marker.utf8)) }, "\(marker) reached the wire")
        }
    }
}
