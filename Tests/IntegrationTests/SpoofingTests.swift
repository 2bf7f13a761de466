// The egress guard seen from the peer: tenant B tries every bypass as raw frames, a capture on
// the host kernel's end of the wire (the TAP, or the veth's peer end in its namespace) sees
// none of them, and B's one valid frame does get out.

import ExoPacket
import Foundation
import Glibc
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root for TAP devices, tcpdump and tenant uids"))
struct SpoofingTests {
    /// One bypass attempt: its frame, a marker that appears nowhere else, and the drop reason
    /// `exoctl stats` must count for it.
    struct Bypass {
        let name: String
        let frame: [UInt8]
        let marker: String?
        let reason: String
    }

    @Test(arguments: Backend.allCases)
    func noBypassFrameReachesThePeerAndTheValidOneDoes(_ backend: Backend) throws {
        let net = try backend.net(second: 78, prefix: "exosp")
        defer { net.remove() }
        let daemon = try net.daemon()
        defer { daemon.stop() }
        let a = try daemon.attachedTenant("alice", uid: TestUIDs.alice)
        defer { a.quit() }
        let b = try daemon.attachedTenant("bob", uid: TestUIDs.bob)
        defer { b.quit() }
        try a.ok("dp-open 64")
        try b.ok("dp-open 64")
        try a.ok("bind udp \(net.address(10)) 5000")
        try b.ok("bind udp \(net.address(10)) 5100")
        let aliceMAC = try TapNet.mac(of: net.address(2), in: try a.ok("dp-info"))
        let bInfo = try b.ok("dp-info")
        let bobMAC = try TapNet.mac(of: net.address(10), in: bInfo)
        let gatewayMAC = try PacketBuilder.mac(TenantProcess.value("gatewaymac", in: bInfo) ?? "")
        #expect(aliceMAC != bobMAC)

        let listener = try net.peerSocket()
        let bypasses = try Self.bypasses(net: net, alice: aliceMAC, bob: bobMAC, gateway: gatewayMAC, port: Int(listener.port))
        let valid = try PacketBuilder.udpFrame(srcMAC: bobMAC, dstMAC: gatewayMAC, src: net.address(10), srcPort: 5100,
            dst: net.address(1), dstPort: Int(listener.port), payload: "VALID-FROM-BOB")
        let frames = (0...bypasses.count).map { 20 + $0 }
        try b.ok("alloc " + frames.map(String.init).joined(separator: " "))
        try b.ok("map " + frames.map(String.init).joined(separator: " "))

        let capture = try net.capture(directory: daemon.directory)
        defer { capture.stop() }
        for (index, bypass) in bypasses.enumerated() {
            #expect(try b.ok("dp-send-raw \(frames[index]) \(PacketBuilder.hex(bypass.frame))") == "posted=1", "\(bypass.name)")
        }
        try b.ok("dp-send-raw \(frames[bypasses.count]) \(PacketBuilder.hex(valid))")

        // The host's socket gets B's valid datagram and nothing else (bypass datagrams were
        // addressed to it too).
        #expect(try listener.receive(timeoutMilliseconds: 3000) == "VALID-FROM-BOB", "\(daemon.log)")
        #expect(try listener.receive(timeoutMilliseconds: 300) == nil)
        capture.stop()

        let captured = try capture.frames()
        let text = try capture.text()
        #expect(captured.contains(valid), "\(text)")
        #expect(text.contains("\(net.address(10)).5100 > \(net.address(1)).\(listener.port): UDP, length 14"), "\(text)")
        for bypass in bypasses {
            let marker = bypass.marker.map { Array($0.utf8) } ?? bypass.frame
            let leaked = captured.filter { $0 == bypass.frame || $0.contains(run: marker) }
            #expect(leaked.isEmpty, "\(bypass.name) reached the peer:\n\(text)")
        }

        // exoctl counts each bypass under its reason; the valid frame is B's only tx packet.
        let stats = try TapNet.stats(daemon, tenant: "bob")
        let expected = Dictionary(bypasses.map { ($0.reason, 1) }, uniquingKeysWith: +)
        #expect(stats.drops == expected)
        #expect(stats.totalDrops == bypasses.count)
        #expect(stats.txPackets == 1)
        #expect(try TapNet.stats(daemon, tenant: "alice").totalDrops == 0)
    }

    /// Every way B might try to speak as someone else or slip a frame past the guard. Each
    /// datagram is addressed to the host's listening socket, so a leak would arrive there.
    static func bypasses(net: any TestNet, alice: [UInt8], bob: [UInt8], gateway: [UInt8], port: Int) throws -> [Bypass] {
        let shared = net.address(10), host = net.address(1)
        func udp(_ marker: String, mac: [UInt8] = bob, src: String = shared, srcPort: Int = 5100, ihl: Int = 5,
            delta: Int = 0) throws -> [UInt8]
        {
            try PacketBuilder.udpFrame(srcMAC: mac, dstMAC: gateway, src: src, srcPort: srcPort, dst: host, dstPort: port,
                payload: marker, ihl: ihl, totalLengthDelta: delta)
        }
        let tagged = try udp("BYPASS-VLAN")
        let vlan = Array(tagged[0..<12]) + [0x81, 0x00, 0x00, 0x05] + Array(tagged[12...])
        return [
            Bypass(name: "A's source IP", frame: try udp("BYPASS-A-IP", src: net.address(2), srcPort: 5000),
                marker: "BYPASS-A-IP", reason: "tx.sourceAddressNotOwned"),
            Bypass(name: "B's IP with A's MAC", frame: try udp("BYPASS-A-MAC", mac: alice), marker: "BYPASS-A-MAC",
                reason: "tx.sourceMACMismatch"),
            Bypass(name: "port outside B's share", frame: try udp("BYPASS-PORT", srcPort: 5000), marker: "BYPASS-PORT",
                reason: "tx.sourcePortNotGranted"),
            Bypass(name: "ARP as A", frame: try PacketBuilder.arpReply(srcMAC: bob, sender: net.address(2), dstMAC: gateway,
                target: host, marker: "BYPASS-ARP-A"), marker: "BYPASS-ARP-A", reason: "tx.arpSenderNotOwned"),
            Bypass(name: "ARP as the gateway", frame: try PacketBuilder.arpReply(srcMAC: bob, sender: host, dstMAC: gateway,
                target: host, marker: "BYPASS-ARP-GW"), marker: "BYPASS-ARP-GW", reason: "tx.arpSenderNotOwned"),
            Bypass(name: "VLAN tag", frame: vlan, marker: "BYPASS-VLAN", reason: "tx.vlanTagged"),
            Bypass(name: "pause frame", frame: PacketBuilder.ethernet(dst: [0x01, 0x80, 0xC2, 0, 0, 0x01], src: bob,
                type: 0x8808, PacketBuilder.padded([0x00, 0x01, 0xFF, 0xFF], "BYPASS-PAUSE")), marker: "BYPASS-PAUSE",
                reason: "tx.pauseFrame"),
            Bypass(name: "EtherType 0x88B5", frame: PacketBuilder.ethernet(dst: gateway, src: bob, type: 0x88B5,
                PacketBuilder.padded([], "BYPASS-ETHERTYPE")), marker: "BYPASS-ETHERTYPE", reason: "tx.unsupportedEtherType"),
            Bypass(name: "IHL 4", frame: try udp("BYPASS-IHL4", ihl: 4), marker: "BYPASS-IHL4", reason: "tx.malformedIPv4"),
            Bypass(name: "IHL 6 (options)", frame: try udp("BYPASS-IHL6", ihl: 6), marker: "BYPASS-IHL6",
                reason: "tx.ipOptions"),
            Bypass(name: "total length past the frame", frame: try udp("BYPASS-TOTLEN", delta: 100),
                marker: "BYPASS-TOTLEN", reason: "tx.truncatedIPv4"),
            Bypass(name: "ICMP port unreachable about A's flow", frame: try PacketBuilder.icmpPortUnreachable(srcMAC: bob,
                dstMAC: gateway, src: shared, dst: host, quotedSrc: host, quotedSrcPort: port, quotedDst: shared,
                quotedDstPort: 5000), marker: nil, reason: "tx.icmpErrorAboutOthers"),
        ]
    }
}
