// The veth fixture itself, no daemon involved: wired as the suites assume (peer kernel at .1 in
// its namespace, daemon end bare), gone afterwards, and the peer kernel really sending GSO
// super-packets, fragments, IPv4 options and partial checksums onto the daemon's end.

import Foundation
import Glibc
import Testing

@Suite(.enabled(if: getuid() == 0, "needs root for namespaces and veth pairs"))
struct VethNetTests {
    @Test func theFixtureIsWiredAsTheSuitesAssumeAndLeavesNothingBehind() throws {
        let net = try VethNet(second: 84, prefix: "exovt")
        defer { net.remove() }
        let root = try runCommand("/usr/sbin/ip", ["-o", "addr", "show", "dev", net.daemonLink])
        #expect(root.status == 0 && !root.stdout.contains("inet"), "daemon end has an address: \(root.stdout)")
        let peer = try net.peerCommand("/usr/sbin/ip", ["-o", "addr", "show", "dev", net.peerLink])
        #expect(peer.stdout.contains("inet \(net.address(1))/24") && !peer.stdout.contains("inet6"), "\(peer.stdout)")
        let link = try runCommand("/usr/sbin/ip", ["-o", "link", "show", "dev", net.daemonLink])
        #expect(link.stdout.contains("state UP"), "\(link.stdout)")
        let peerLink = try net.peerCommand("/usr/sbin/ip", ["-o", "link", "show", "dev", net.peerLink])
        #expect(peerLink.stdout.contains("link/ether \(net.peerMAC)") && peerLink.stdout.contains("state UP"),
            "\(peerLink.stdout)")

        // The host address exists only in the peer namespace: a socket binds to it there alone.
        let inPeer = try net.peerSocket()
        #expect(inPeer.port != 0)
        #expect(throws: HarnessError.self) { try UDPSocket(address: net.address(1), port: 0) }

        net.remove()
        #expect(try runCommand("/usr/sbin/ip", ["link", "show", net.daemonLink]).status != 0)
        #expect(!(try runCommand("/usr/sbin/ip", ["netns", "list"]).stdout.contains(net.namespace.name)))
    }

    @Test func aFailedSetUpRemovesWhatItMade() throws {
        // A prefix this long makes link names past 15 bytes: `ip link add` fails after the
        // namespace was made, and the fixture must take the namespace away again.
        #expect(throws: HarnessError.self) { try VethNet(second: 84, prefix: "exo-much-too-long") }
        let namespaces = try runCommand("/usr/sbin/ip", ["netns", "list"]).stdout
        #expect(!namespaces.contains("-exo-much-too-long"), "\(namespaces)")
    }

    /// The premises of PeerOffloadTests, seen by tcpdump on the daemon's end: what the peer
    /// kernel puts on the wire for each kind of send.
    @Test func thePeerKernelSendsGSOFragmentsOptionsAndPartialChecksums() throws {
        let net = try VethNet(second: 84, prefix: "exovt")
        defer { net.remove() }
        let directory = try DaemonHarness.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Nobody answers ARP here: a static neighbour lets the peer send at once.
        let tenant = net.address(2)
        try VethNet.ip(["-n", net.namespace.name, "neigh", "replace", tenant, "lladdr", "02:00:00:00:00:02",
            "dev", net.peerLink, "nud", "permanent"])
        let capture = try PacketCapture(interface: net.daemonLink, directory: directory)
        defer { capture.stop() }
        for (index, kind) in PeerSend.allCases.enumerated() {
            try kind.send(in: net, to: tenant, port: 7, sourcePort: 40_000 + index)
        }
        usleep(200_000)
        capture.stop()
        let frames = try capture.frames().filter { $0.count >= 42 && $0[12] == 0x08 && $0[13] == 0 && $0[23] == 17 }
        func from(_ index: Int) -> [[UInt8]] {
            frames.filter { f in
                let ihl = Int(f[14] & 0x0F) * 4
                let isLaterFragment = (Int(f[20] & 0x1F) << 8 | Int(f[21])) != 0
                return isLaterFragment || (Int(f[14 + ihl]) << 8 | Int(f[15 + ihl])) == 40_000 + index
            }
        }
        let text = try capture.text()
        // GSO: one frame carrying all segments, larger than the MTU.
        let gso = from(0).filter { $0.count == 14 + 28 + PeerSend.gso.payload.count }
        #expect(gso.count == 1, "\(text)")
        // Fragmented: more than one frame, the first with more-fragments set.
        let fragments = frames.filter { ($0[20] & 0x20) != 0 || ($0[20] & 0x1F) != 0 || $0[21] != 0 }
        #expect(fragments.count >= 3, "\(text)")
        // Options: an IPv4 header of 24 bytes.
        #expect(from(2).contains { $0[14] == 0x46 }, "\(text)")
        // Plain: the UDP checksum field holds only the pseudo-header sum (partial).
        let plain = from(3).filter { $0[14] == 0x45 && $0.count == 14 + 28 + 200 }
        #expect(plain.count == 1, "\(text)")
        if let frame = plain.first {
            let udp = Array(frame[34...])
            let pseudo = Array(frame[26..<34]) + [0, 17] + PacketBuilder.be16(udp.count)
            #expect(PacketBuilder.checksum(pseudo + udp) != [0, 0], "the peer sent a complete checksum")
        }
    }
}
