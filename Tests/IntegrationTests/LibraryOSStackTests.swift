// ExOS's network stack behind the real daemon, with a real Linux kernel as the peer (TAP, or
// AF_PACKET on a veth): the kernel's ping gets answers from a tenant's own stack; exoping
// gets answers from the kernel and, through the gateway, from an address beyond it; exo-nc
// talks to the kernel's `nc -u -l`, and the kernel's nc talks to exo-nc.

import Foundation
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root for TAP devices, namespaces and tenant uids"))
struct LibraryOSStackTests {
    @Test(arguments: Backend.allCases)
    func theKernelsPingIsAnsweredByTheStackOfATenantThatOwnsItsAddress(_ backend: Backend) throws {
        let net = try backend.net(second: 81, prefix: "exost")
        defer { net.remove() }
        let daemon = try net.daemon()
        defer { daemon.stop() }
        // alice owns .2 whole: ARP and echo for it reach her stack, not the daemon.
        let alice = try EchoProcess(daemon, tenant: "alice", uid: TestUIDs.alice, address: net.address(2), port: 7)
        defer { alice.stop() }
        try alice.waitUntilReady()
        let ping = try net.peerCommand("/bin/ping", ["-c", "3", "-i", "0.2", "-W", "2", "-I", net.peerLink, net.address(2)], timeout: 15)
        #expect(ping.status == 0 && ping.stdout.contains("3 received"), "\(ping.stdout)\(ping.stderr)\nalice: \(alice.output)")
        alice.stop()
        #expect(!alice.output.contains("echoed 0 datagrams; received 0"), "\(alice.output)")
    }

    @Test(arguments: Backend.allCases)
    func exopingGetsRepliesFromTheKernel(_ backend: Backend) throws {
        let net = try backend.net(second: 81, prefix: "exopg")
        defer { net.remove() }
        let daemon = try net.daemon()
        defer { daemon.stop() }
        let ping = try exoping(daemon, tenant: "alice", uid: TestUIDs.alice, arguments: ["-c", "3", "-i", "0.2", net.address(1)])
        #expect(ping.status == 0, "\(ping.stdout)\(ping.stderr)\n\(daemon.log)")
        #expect(ping.stdout.contains("PING \(net.address(1)) (\(net.address(1))) 56(84) bytes of data."), "\(ping.stdout)")
        #expect(ping.stdout.contains("64 bytes from \(net.address(1)): icmp_seq=1 ttl=64 time="), "\(ping.stdout)")
        #expect(ping.stdout.contains("3 packets transmitted, 3 received, 0% packet loss"), "\(ping.stdout)")
        #expect(ping.stdout.contains("rtt min/avg/max/mdev = "), "\(ping.stdout)")
    }

    @Test func exopingOnASharedAddressUsesAGrantedIdentifier() throws {
        let net = try Backend.packet.net(second: 81, prefix: "exops")
        defer { net.remove() }
        let daemon = try net.daemon()
        defer { daemon.stop() }
        // bob has no address of his own: he pings from the shared .10 with his identifiers (200-299).
        let ping = try exoping(daemon, tenant: "bob", uid: TestUIDs.bob, arguments: ["-c", "2", "-i", "0.2", net.address(1)])
        #expect(ping.status == 0 && ping.stdout.contains("2 received"), "\(ping.stdout)\(ping.stderr)\n\(daemon.log)")
        // An identifier outside his grant (alice's 150) is refused, with a typed error: the
        // stack knows the grants the daemon announced, and the daemon's bind would refuse too.
        let refused = try exoping(
            daemon, tenant: "bob", uid: TestUIDs.bob, arguments: ["-c", "1", "--identifier", "150", net.address(1)])
        #expect(refused.status == 2, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("notGranted"), "\(refused.stderr)")
    }

    @Test func exopingReachesAnAddressBeyondTheGateway() throws {
        let net = try Backend.packet.net(second: 81, prefix: "exobg")
        defer { net.remove() }
        guard let veth = net as? VethNet else { return }
        // An address off the tenants' subnet that only the peer kernel (the gateway) has.
        let beyond = "10.81.250.1"
        let added = try veth.peerCommand("/usr/sbin/ip", ["addr", "add", "\(beyond)/32", "dev", "lo"], timeout: 5)
        #expect(added.status == 0, "\(added.stderr)")
        let daemon = try net.daemon()
        defer { daemon.stop() }
        let ping = try exoping(daemon, tenant: "alice", uid: TestUIDs.alice, arguments: ["-c", "2", "-i", "0.2", beyond])
        #expect(ping.status == 0 && ping.stdout.contains("2 received"), "\(ping.stdout)\(ping.stderr)\n\(daemon.log)")
        #expect(ping.stdout.contains("bytes from \(beyond): icmp_seq=1"), "\(ping.stdout)")
    }

    @Test(arguments: Backend.allCases)
    func exoNetcatSendsToTheKernelsNetcatAndBack(_ backend: Backend) throws {
        let net = try backend.net(second: 81, prefix: "exonc")
        defer { net.remove() }
        let daemon = try net.daemon()
        defer { daemon.stop() }
        // The kernel listens; exo-nc (alice, from .2) sends a line to it.
        // `exec`: a timeout kills nc itself (a shell's child would keep the output pipe open).
        let listener = Listener { try net.peerCommand("/bin/sh", ["-c", "exec nc -u -l -W 1 6001"], timeout: 15) }
        for _ in 0..<100 {  // until the kernel's socket is bound (at most 5 s)
            let bound = try net.peerCommand("/bin/sh", ["-c", "ss -Huln 'sport = :6001' | grep -q 6001"], timeout: 5)
            if bound.status == 0 { break }
            usleep(50_000)
        }
        // exo-nc's input from a file and `exec`, so that a timeout kills exo-nc itself.
        let input = NSTemporaryDirectory() + "exo-nc-\(getpid())-\(backend.rawValue)"
        try "from-exos".write(toFile: input + ".send", atomically: true, encoding: .utf8)
        try "reply".write(toFile: input + ".reply", atomically: true, encoding: .utf8)
        defer {
            try? FileManager.default.removeItem(atPath: input + ".send")
            try? FileManager.default.removeItem(atPath: input + ".reply")
        }
        let sent = try runCommand(
            "/bin/sh",
            ["-c", "exec \"$0\" --tenant alice --socket \"$1\" --as-uid \"$2\" -u -w 1 \"$3\" 6001 < \"$4\"",
             BuildProducts.path("exo-nc"), daemon.socketPath, String(TestUIDs.alice), net.address(1), input + ".send"],
            timeout: 15)
        #expect(sent.status == 0, "\(sent.stdout)\(sent.stderr)\n\(daemon.log)")
        let heard = try listener.result()
        #expect(heard.stdout == "from-exos", "\(heard.stdout)\(heard.stderr)")

        // exo-nc listens (alice, port 6002 of .2); the kernel's nc sends and gets the reply
        // exo-nc writes from its stdin to the latest sender.
        let exoListener = Listener {
            try runCommand(
                "/bin/sh",
                ["-c", "sleep 1; exec \"$0\" --tenant alice --socket \"$1\" --as-uid \"$2\" -u -l -w 3 6002 < \"$3\"",
                 BuildProducts.path("exo-nc"), daemon.socketPath, String(TestUIDs.alice), input + ".reply"], timeout: 20)
        }
        // The kernel sends once a second until exo-nc has answered (under load it may bind
        // after the first datagrams, which are then refused with port unreachable).
        let kernel = try net.peerCommand(
            "/bin/sh",
            ["-c", "sleep 2; for i in 1 2 3 4 5 6; do printf 'to-exos' | nc -u -w 1 \"$0\" 6002 | grep -q reply && { echo reply; exit 0; }; done; exit 1",
             net.address(2)], timeout: 30)
        let exo = try exoListener.result()
        #expect(exo.stdout.hasPrefix("to-exos"), "\(exo.stdout)\(exo.stderr)\n\(daemon.log)")
        #expect(kernel.stdout == "reply\n", "\(kernel.stdout)\(kernel.stderr)")
    }

    /// Runs exoping as `tenant` (dropping to `uid`) against `daemon`.
    private func exoping(_ daemon: DaemonHarness, tenant: String, uid: UInt32, arguments: [String]) throws -> CommandResult {
        try runCommand(
            BuildProducts.path("exoping"),
            ["--tenant", tenant, "--socket", daemon.socketPath, "--as-uid", String(uid)] + arguments, timeout: 30)
    }
}
