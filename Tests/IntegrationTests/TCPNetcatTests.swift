// exo-nc's TCP modes against the Linux kernel's nc, on both NIC backends: exo-nc connects out
// to a kernel `nc -l` and sends 10 MB (byte-identical, then half-close ends both); the kernel's
// nc connects to `exo-nc -l` and each side's bytes reach the other.

import Foundation
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root for TAP devices, namespaces and tenant uids"))
struct TCPNetcatTests {
    @Test(arguments: Backend.allCases)
    func exoNcSendsTenMegabytesToTheKernelsListener(_ backend: Backend) throws {
        let net = try backend.net(second: 97, prefix: "exonc")
        defer { net.remove() }
        let daemon = try net.daemon(quota: 256)
        defer { daemon.stop() }
        let file = daemon.directory + "/ten-megabytes"
        _ = try runCommand("/bin/sh", ["-c", "head -c 10485760 /dev/urandom > \"$0\"; chmod 644 \"$0\"", file], timeout: 20)
        // The kernel listens and writes what it hears to a file (exec: a timeout kills nc).
        let listener = Listener {
            try net.peerCommand("/bin/sh", ["-c", "exec timeout 90 nc -l -N 6100 > \"$0\"", file + ".heard"], timeout: 100)
        }
        try waitUntilListening(net, port: 6100)
        let sent = try runCommand(
            "/bin/sh",
            ["-c", "exec timeout 90 \"$0\" --tenant alice --socket \"$1\" --as-uid \"$2\" \"$3\" 6100 < \"$4\"",
             BuildProducts.path("exo-nc"), daemon.socketPath, String(TestUIDs.alice), net.address(1), file],
            timeout: 100)
        #expect(sent.status == 0, "\(sent.stdout)\(sent.stderr)\n\(daemon.log)")
        let heard = try listener.result()
        #expect(heard.status == 0, "\(heard.stderr)")
        let same = try runCommand("/bin/sh", ["-c", "cmp \"$0\" \"$0.heard\" && echo same", file], timeout: 20)
        #expect(same.stdout == "same\n", "\(same.stdout)\(same.stderr)")
    }

    @Test(arguments: Backend.allCases)
    func theKernelsNcTalksToExoNcListening(_ backend: Backend) throws {
        let net = try backend.net(second: 97, prefix: "exonl")
        defer { net.remove() }
        let daemon = try net.daemon(quota: 256)
        defer { daemon.stop() }
        let reply = daemon.directory + "/reply"
        try "from-exos\n".write(toFile: reply, atomically: true, encoding: .utf8)
        let exo = Listener {
            try runCommand(
                "/bin/sh",
                ["-c", "exec timeout 60 \"$0\" --tenant alice --socket \"$1\" --as-uid \"$2\" -l 6101 < \"$3\"",
                 BuildProducts.path("exo-nc"), daemon.socketPath, String(TestUIDs.alice), reply], timeout: 70)
        }
        // Connect until exo-nc listens (its start takes a moment); -N: FIN at our EOF.
        let kernel = try net.peerCommand(
            "/bin/sh",
            ["-c", "for i in $(seq 1 50); do out=$(printf 'to-exos\\n' | timeout 10 nc -N \"$0\" 6101) && [ -n \"$out\" ] && { echo \"$out\"; exit 0; }; sleep 0.2; done; exit 1",
             net.address(2)], timeout: 60)
        #expect(kernel.stdout == "from-exos\n", "\(kernel.stdout)\(kernel.stderr)\n\(daemon.log)")
        let listened = try exo.result()
        #expect(listened.status == 0, "\(listened.stderr)")
        #expect(listened.stdout == "to-exos\n", "\(listened.stdout)\(listened.stderr)")
    }

    /// Waits until the kernel's side has a TCP socket listening on `port` (at most 5 s).
    func waitUntilListening(_ net: any TestNet, port: Int) throws {
        for _ in 0..<100 {
            let bound = try net.peerCommand("/bin/sh", ["-c", "ss -Htln 'sport = :\(port)' | grep -q \(port)"], timeout: 5)
            if bound.status == 0 { return }
            usleep(50_000)
        }
    }
}
