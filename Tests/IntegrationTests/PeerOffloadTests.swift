// A real Linux peer's offloads through the AF_PACKET backend: the peer kernel sends a GSO burst,
// a fragmented datagram, one with IPv4 options and a plain one (partial checksum on veth), and
// the tenant gets correct, checksummed datagrams carrying exactly the bytes sent.

import Foundation
import Glibc
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root for namespaces, veth pairs and tenant uids"))
struct PeerOffloadTests {
    /// Alice receiving on her whole address `.2` (port 7), with 32 frames on fill; the peer
    /// reaches her MAC through a static neighbour entry (the test client answers no ARP).
    final class Scene {
        let net: VethNet
        let daemon: DaemonHarness
        let alice: TenantProcess

        init() throws {
            net = try VethNet(second: 85, prefix: "exopo")
            do { daemon = try net.daemon() } catch {
                net.remove()
                throw error
            }
            do {
                alice = try daemon.attachedTenant("alice", uid: TestUIDs.alice)
            } catch {
                daemon.stop()
                net.remove()
                throw error
            }
            do {
                try alice.openReceiving(frames: (0..<32).map(String.init).joined(separator: " "))
                try alice.ok("bind addr \(net.address(2))")
                let mac = try TapNet.mac(of: net.address(2), in: try alice.ok("dp-info"))
                try VethNet.ip(["-n", net.namespace.name, "neigh", "replace", net.address(2), "lladdr",
                    mac.map { String(format: "%02x", $0) }.joined(separator: ":"), "dev", net.peerLink, "nud", "permanent"])
            } catch {
                close()
                throw error
            }
        }

        /// The peer sends `kind` to alice; returns every UDP datagram she then receives.
        func deliver(_ kind: PeerSend, sourcePort: Int) throws -> [ReceivedDatagram] {
            try kind.send(in: net, to: net.address(2), port: 7, sourcePort: sourcePort)
            return try alice.receiveDatagrams(quiet: 1000)
        }

        func close() {
            alice.quit()
            daemon.stop()
            net.remove()
        }
    }

    @Test
    func aGSOBurstArrivesAsCorrectChecksummedSegments() throws {
        let scene = try Scene()
        defer { scene.close() }
        let got = try scene.deliver(.gso, sourcePort: 41_000)
        #expect(got.count == PeerSend.segments, "\(got)\n\(scene.daemon.log)")
        for datagram in got {
            #expect(datagram.isCorrectAndChecksummed, "\(datagram)")
            #expect(datagram.payload.count == PeerSend.segmentSize, "\(datagram)")
            #expect(datagram.sourcePort == 41_000 && datagram.destinationPort == 7, "\(datagram)")
        }
        // Segments arrive in order (one super-packet, segmented in order) and carry the burst.
        #expect(got.flatMap(\.payload) == PeerSend.gso.payload)
    }

    @Test
    func aFragmentedDatagramArrivesReassembledAndChecksummed() throws {
        let scene = try Scene()
        defer { scene.close() }
        let got = try scene.deliver(.fragmented, sourcePort: 41_001)
        #expect(got.count == 1, "\(got)\n\(scene.daemon.log)")
        #expect(got.first?.isCorrectAndChecksummed == true, "\(got)")
        #expect(got.first?.payload == PeerSend.fragmented.payload)
    }

    @Test
    func aDatagramWithIPv4OptionsArrivesChecksummed() throws {
        let scene = try Scene()
        defer { scene.close() }
        let got = try scene.deliver(.options, sourcePort: 41_002)
        #expect(got.count == 1, "\(got)\n\(scene.daemon.log)")
        // Whether the options are kept or stripped, both checksums must verify.
        #expect(got.first?.isCorrectAndChecksummed == true, "\(got)")
        #expect(got.first?.payload == PeerSend.options.payload)
        #expect(got.first?.sourcePort == 41_002)
    }

    @Test
    func aPlainDatagramWithAPartialChecksumArrivesCompleted() throws {
        let scene = try Scene()
        defer { scene.close() }
        let got = try scene.deliver(.plain, sourcePort: 41_003)
        #expect(got.count == 1, "\(got)\n\(scene.daemon.log)")
        #expect(got.first?.isCorrectAndChecksummed == true, "\(got)")
        #expect(got.first?.payload == PeerSend.plain.payload)
    }
}
