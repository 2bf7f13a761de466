// ExOS's TCP behind the real daemon with the Linux kernel's TCP as its peer (TAP, and
// AF_PACKET on a veth): the kernel's nc sends 10 MB of random bytes through tcp-echo and gets
// every byte back, in order, with the same SHA-256; the same holds through `exoctl impair`
// at 2% loss, 1% duplication and reordering, both ways.

import Foundation
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root for TAP devices, namespaces and tenant uids"))
struct TCPEchoTests {
    /// alice's tcp-echo on `.2` port 7000, as uid alice.
    static func startEcho(_ net: any TestNet, _ daemon: DaemonHarness) throws -> StartedClient {
        try StartedClient(
            "tcp-echo",
            ["--tenant", "alice", "--socket", daemon.socketPath, "--as-uid", String(TestUIDs.alice),
             "--address", net.address(2), "--port", "7000", "--frames", "128"],
            until: "listening on", in: daemon.directory)
    }

    /// Sends `megabytes` MB of random bytes from the kernel through nc to `.2` port 7000, with
    /// half-close on EOF (`-N`); prints "same" when what came back has the same SHA-256.
    static func roundTrip(_ net: any TestNet, megabytes: Int, timeout: Int = 120) throws -> CommandResult {
        let script = """
            f=$(mktemp); head -c $(($1 * 1048576)) /dev/urandom > "$f"
            timeout $2 nc -N "$0" 7000 < "$f" > "$f.out"; status=$?
            a=$(sha256sum < "$f"); b=$(sha256sum < "$f.out"); n=$(stat -c %s "$f.out")
            rm -f "$f" "$f.out"
            [ "$a" = "$b" ] && echo same || echo "differ: nc exited $status, $n bytes back"
            """
        return try net.peerCommand("/bin/sh", ["-c", script, net.address(2), String(megabytes), String(timeout)],
            timeout: TimeInterval(timeout + 30))
    }

    @Test(arguments: Backend.allCases)
    func tenMegabytesOfRandomBytesComeBackIdentical(_ backend: Backend) throws {
        let net = try backend.net(second: 96, prefix: "exotc")
        defer { net.remove() }
        let daemon = try net.daemon(quota: 256)
        defer { daemon.stop() }
        let echo = try Self.startEcho(net, daemon)
        defer { echo.stop() }
        let result = try Self.roundTrip(net, megabytes: 10)
        #expect(result.stdout == "same\n", "\(result.stdout)\(result.stderr)\n\(daemon.log)")
    }

    @Test(arguments: Backend.allCases)
    func tenMegabytesSurviveLossDuplicationAndReordering(_ backend: Backend) throws {
        let net = try backend.net(second: 96, prefix: "exoti")
        defer { net.remove() }
        let daemon = try net.daemon(quota: 256)
        defer { daemon.stop() }
        let echo = try Self.startEcho(net, daemon)
        defer { echo.stop() }
        _ = try DataPathTests.exoctl(daemon, [
            "impair", "--tenant", "alice", "--loss", "2%", "--duplicate", "1%", "--reorder", "1%", "--seed", "11",
        ])
        let result = try Self.roundTrip(net, megabytes: 10, timeout: 240)
        #expect(result.stdout == "same\n", "\(result.stdout)\(result.stderr)\n\(daemon.log)")
        let stats = try DataPathTests.exoctl(daemon, ["stats"])
        #expect(stats.contains("rx.impair.lostRandom") && stats.contains("tx.impair.lostRandom"), "\(stats)")
    }
}
