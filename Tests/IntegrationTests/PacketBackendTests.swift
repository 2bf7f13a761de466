// The packet backend end to end: a veth pair whose peer end is the Linux kernel in a namespace
// of the test's own, the daemon on the other end, udp-echo tenants, ping, GSO, link deletion.

import Foundation
import Testing

/// The names these tests use for a `VethNet` (the fixture the parameterized suites share):
/// `local` is the daemon's end, `peer` the namespace's end holding .1, the tenants' gateway.
final class PacketNet {
    let net: VethNet

    init() throws { net = try VethNet(second: 83, prefix: "exopk") }

    var local: String { net.daemonLink }
    var peer: String { net.peerLink }
    var peerMAC: String { net.peerMAC }
    var nicSection: String { net.nic }

    func remove() { net.remove() }
    func daemon() throws -> DaemonHarness { try net.daemon() }

    /// Runs a command inside the peer namespace.
    func inPeer(_ arguments: [String], timeout: TimeInterval = 10) throws -> CommandResult {
        try net.peerCommand(arguments[0], Array(arguments.dropFirst()), timeout: timeout)
    }

    static func ip(_ arguments: [String]) throws { try VethNet.ip(arguments) }
}

/// Python in the peer namespace: one UDP datagram (argv[3]) to argv[1]:argv[2] with the UDP
/// checksum off (SO_NO_CHECK, so the kernel leaves no partial checksum to complete); prints
/// the answer or nothing after 2 s.
private let udpNoChecksumScript = """
    import socket, sys
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, 11, 1)
    s.settimeout(2)
    s.sendto(sys.argv[3].encode(), (sys.argv[1], int(sys.argv[2])))
    try:
        print(s.recv(2048).decode(), end="")
    except socket.timeout:
        pass
    """

/// Python in the peer namespace: on argv[1], one Ethernet frame from MAC argv[4] to MAC argv[5]
/// carrying a UDP datagram (payload argv[6], checksum off) from argv[2]:4000 to argv[3]:7; with
/// argv[7], inside an 802.1Q tag of that VLAN id.
private let rawUDPFrameScript = """
    import socket, struct, sys
    def csum(b):
        s = sum(struct.unpack("!%dH" % (len(b) // 2), b)); s = (s >> 16) + (s & 0xffff); s += s >> 16
        return ~s & 0xffff
    payload = sys.argv[6].encode()
    udp = struct.pack("!HHHH", 4000, 7, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                     socket.inet_aton(sys.argv[2]), socket.inet_aton(sys.argv[3]))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    mac = lambda text: bytes.fromhex(text.replace(":", ""))
    tag = b"\\x81\\x00" + struct.pack("!H", int(sys.argv[7])) if len(sys.argv) > 7 else b""
    eth = mac(sys.argv[5]) + mac(sys.argv[4]) + tag + b"\\x08\\x00"
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((sys.argv[1], 0))
    s.send(eth + ip + udp)
    """

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root for namespaces, veth and tenant uids"))
struct PacketBackendTests {
    @Test func udpEchoTenantsAnswerThePeerKernelAndTheDaemonAnswersPing() throws {
        let pnet = try PacketNet()
        defer { pnet.remove() }
        let net = pnet.net
        let daemon = try pnet.daemon()
        defer { daemon.stop() }
        let alice = try EchoProcess(daemon, tenant: "alice", uid: TestUIDs.alice, address: net.address(2), port: 7)
        defer { alice.stop() }
        let bob = try EchoProcess(daemon, tenant: "bob", uid: TestUIDs.bob, address: net.address(10), port: 5100)
        defer { bob.stop() }
        try alice.waitUntilReady()
        try bob.waitUntilReady()

        // Whole-owned: the peer's ARP is answered by alice's library OS; shared by port: by the daemon.
        let toAlice = try pnet.inPeer(["python3", "-c", udpNoChecksumScript, net.address(2), "7", "for-alice"])
        #expect(toAlice.stdout == "for-alice", "\(toAlice.stderr)\nalice: \(alice.output)\ndaemon: \(daemon.log)")
        let toBob = try pnet.inPeer(["python3", "-c", udpNoChecksumScript, net.address(10), "5100", "for-bob"])
        #expect(toBob.stdout == "for-bob", "\(toBob.stderr)\nbob: \(bob.output)\ndaemon: \(daemon.log)")

        // The peer kernel's own UDP (nc) leaves veth with a partial checksum: the daemon
        // completes it in software, and alice's library OS verifies it before echoing.
        let nc = try pnet.inPeer(["/bin/sh", "-c", "printf 'nc-alice' | nc -u -w 2 \(net.address(2)) 7"])
        #expect(nc.stdout == "nc-alice", "\(nc.stderr)\nalice: \(alice.output)\ndaemon: \(daemon.log)")

        // ping of the shared address: the daemon answers it.
        let ping = try pnet.inPeer(["/bin/ping", "-c", "2", "-W", "2", net.address(10)])
        #expect(ping.stdout.contains("2 received"), "\(ping.stdout)\(ping.stderr)\n\(daemon.log)")

        alice.stop()
        bob.stop()
        #expect(alice.output.contains("echo 9 bytes from \(net.address(1))"))
        #expect(bob.output.contains("echo 7 bytes from \(net.address(1))"))
        #expect(!bob.output.contains("echo 9 bytes"))

        // exoctl nic: the backend, the link's MTU, the gateway MAC and the kernel's own counters.
        let nic = try Self.nicReport(daemon)
        #expect(nic["backend"] as? String == "packet")
        #expect(nic["name"] as? String == pnet.local)
        #expect(nic["mtu"] as? Int == 1500)
        #expect(nic["mac"] as? String == pnet.peerMAC)
        let kernel = try #require(nic["kernel"] as? [String: Any])
        #expect((kernel["rxPackets"] as? Int ?? 0) >= 4, "\(kernel)")
        #expect((kernel["txPackets"] as? Int ?? 0) >= 4, "\(kernel)")
        #expect((nic["txPackets"] as? Int ?? 0) >= 4, "\(nic)")
    }

    @Test func aUDPSegmentBurstFromThePeerIsSegmentedInSoftware() throws {
        let pnet = try PacketNet()
        defer { pnet.remove() }
        let net = pnet.net
        let daemon = try pnet.daemon()
        defer { daemon.stop() }
        let alice = try EchoProcess(daemon, tenant: "alice", uid: TestUIDs.alice, address: net.address(2), port: 7)
        defer { alice.stop() }
        try alice.waitUntilReady()
        // ARP first (with a small datagram), so the burst leaves as one super-packet.
        _ = try pnet.inPeer(["python3", "-c", udpNoChecksumScript, net.address(2), "7", "hello"])
        let burst = try pnet.inPeer(["python3", "-c", """
            import socket, sys
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(17, 103, 1000)
            s.sendto(b"s" * 20000, (sys.argv[1], 7))
            """, net.address(2)])
        #expect(burst.status == 0, "\(burst.stderr)")
        usleep(300_000)
        alice.stop()
        // One super-packet of 20 segments, segmented in software: 20 checksummed datagrams.
        #expect(alice.output.components(separatedBy: "echo 1000 bytes").count - 1 == 20, "\(alice.output)")
        #expect(try Self.nicDrops(daemon).keys.filter { $0.hasPrefix("rx.offload.") }.isEmpty)
    }

    @Test func vlanTaggedFramesAreDroppedAndMTUChangesNoticed() throws {
        let pnet = try PacketNet()
        defer { pnet.remove() }
        let net = pnet.net
        let daemon = try pnet.daemon()
        defer { daemon.stop() }
        let alice = try EchoProcess(daemon, tenant: "alice", uid: TestUIDs.alice, address: net.address(2), port: 7)
        defer { alice.stop() }
        try alice.waitUntilReady()
        // An untagged datagram reaches alice (and teaches the peer her MAC).
        let plain = try pnet.inPeer(["python3", "-c", udpNoChecksumScript, net.address(2), "7", "plain"])
        #expect(plain.stdout == "plain", "\(plain.stderr)\nalice: \(alice.output)")
        let neighbour = try pnet.inPeer(["ip", "neigh", "show", net.address(2)]).stdout
        let words = neighbour.split(separator: " ")
        let aliceMAC = try #require(words.firstIndex(of: "lladdr").map { String(words[$0 + 1]) }, "\(neighbour)")

        // The same datagram in an 802.1Q tag, to alice's MAC: refused before routing, counted.
        let sent = try pnet.inPeer(["python3", "-c", rawUDPFrameScript, pnet.peer, net.address(1), net.address(2),
            pnet.peerMAC, aliceMAC, "tagged", "5"])
        #expect(sent.status == 0, "\(sent.stderr)")
        let deadline = Date().addingTimeInterval(3)
        while Date() < deadline, try Self.nicDrops(daemon)["rx.vlanTagged", default: 0] == 0 { usleep(20_000) }
        #expect(try Self.nicDrops(daemon)["rx.vlanTagged", default: 0] == 1)

        // An MTU change on the daemon's link is noticed and shown.
        try PacketNet.ip(["link", "set", pnet.local, "mtu", "1400"])
        let mtuDeadline = Date().addingTimeInterval(3)
        while Date() < mtuDeadline, try Self.nicReport(daemon)["mtu"] as? Int != 1400 { usleep(20_000) }
        let report = try Self.nicReport(daemon)
        #expect(report["mtu"] as? Int == 1400, "\(report)")
        #expect(report["mtuChanges"] as? Int == 1, "\(report)")
        #expect(daemon.log.contains("1400"), "\(daemon.log)")
        alice.stop()
        #expect(alice.output.contains("echo 5 bytes"))
        #expect(!alice.output.contains("echo 6 bytes"), "the tagged datagram reached alice: \(alice.output)")
    }

    @Test func framesForOtherHostsAreDroppedByTheMACCheck() throws {
        let pnet = try PacketNet()
        defer { pnet.remove() }
        let net = pnet.net
        let daemon = try pnet.daemon()
        defer { daemon.stop() }
        let alice = try EchoProcess(daemon, tenant: "alice", uid: TestUIDs.alice, address: net.address(2), port: 7)
        defer { alice.stop() }
        try alice.waitUntilReady()
        // A UDP datagram to alice's address but another host's MAC: promiscuous reception
        // sees it, the demultiplexer's MAC check drops it.
        let sent = try pnet.inPeer(["python3", "-c", rawUDPFrameScript, pnet.peer, net.address(1), net.address(2),
            pnet.peerMAC, "02:00:00:00:00:99", "other-host"])
        #expect(sent.status == 0, "\(sent.stderr)")
        let deadline = Date().addingTimeInterval(3)
        while Date() < deadline, try Self.nicDrops(daemon)["wrongDestinationMAC", default: 0] == 0 { usleep(20_000) }
        #expect(try Self.nicDrops(daemon)["wrongDestinationMAC", default: 0] == 1)
        alice.stop()
        #expect(!alice.output.contains("echo 10 bytes"))
    }

    @Test func deletingTheLinkUnderTheDaemonIsReportedWithoutSpinning() throws {
        let pnet = try PacketNet()
        defer { pnet.remove() }
        let daemon = try pnet.daemon()
        defer { daemon.stop() }
        try PacketNet.ip(["link", "del", pnet.local])
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline && !daemon.log.contains("was deleted under the daemon") { usleep(20_000) }
        #expect(daemon.log.contains("was deleted under the daemon"), "\(daemon.log)")
        let nic = try Self.nicReport(daemon)
        #expect((nic["linkDownEvents"] as? Int ?? 0) >= 1)
        let before = try Self.cpuTicks(daemon.pid)
        usleep(2_000_000)
        let used = try Self.cpuTicks(daemon.pid) - before
        #expect(used < 120, "daemon used \(used) clock ticks in 2 s after its link was deleted")
        #expect(kill(daemon.pid, 0) == 0)
    }

    @Test func checkConfigRefusesAMissingInterfaceAndWarnsAboutHostAddresses() throws {
        let pnet = try PacketNet()
        defer { pnet.remove() }
        let net = pnet.net
        // The host holds alice's address on the daemon's interface: a warning, still valid.
        try PacketNet.ip(["addr", "add", "\(net.address(2))/32", "dev", pnet.local])
        let directory = try DaemonHarness.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func config(_ name: String) -> String {
            var toml = "[frames]\ncount = 64\nsize = 4096\n"
            for (tenant, uid) in [("alice", TestUIDs.alice), ("bob", TestUIDs.bob)] {
                toml += "\n[[tenant]]\nname = \"\(tenant)\"\nuids = [\(uid)]\nframe_quota = 16\n\(net.tenantExtra[tenant]!)\n"
            }
            return toml + pnet.nicSection.replacingOccurrences(of: "name = \"\(pnet.local)\"", with: "name = \"\(name)\"")
        }
        let good = directory + "/good.toml", missing = directory + "/missing.toml"
        try config(pnet.local).write(toFile: good, atomically: true, encoding: .utf8)
        try config("exonosuch\(getpid() % 1000)").write(toFile: missing, atomically: true, encoding: .utf8)
        let daemon = BuildProducts.path("exokerneld")

        let warned = try runCommand(daemon, ["--check-config", good])
        #expect(warned.status == 0, "\(warned.stderr)")
        #expect(warned.stderr.contains("tenant[0].addresses[0]: \(net.address(2)) is also a host address on '\(pnet.local)'"),
            "\(warned.stderr)")

        let refused = try runCommand(daemon, ["--check-config", missing])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("\(missing): nic.name: no interface 'exonosuch"), "\(refused.stderr)")
    }

    static func nicReport(_ daemon: DaemonHarness) throws -> [String: Any] {
        let text = try DataPathTests.exoctl(daemon, ["nic", "--json"])
        guard let report = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw HarnessError("unexpected nic report: \(text)")
        }
        return report
    }

    static func nicDrops(_ daemon: DaemonHarness) throws -> [String: Int] {
        (try nicReport(daemon)["dropReasons"] as? [String: Any] ?? [:]).compactMapValues { ($0 as? NSNumber)?.intValue }
    }

    /// utime + stime of a process, in clock ticks (/proc/PID/stat fields 14 and 15).
    static func cpuTicks(_ pid: Int32) throws -> Int {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        let fields = stat[stat.range(of: ")")!.upperBound...].split(separator: " ")
        return Int(fields[11])! + Int(fields[12])!
    }
}
