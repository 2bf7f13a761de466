// A library-OS application across a daemon restart (docs/EXOS.md §10): udp-echo, started once,
// answers the host's netcat before exokerneld is stopped with SIGTERM, and again after a new
// daemon started on the same configuration, having attached again by itself; tcp-echo's open
// connection goes on and its listener takes new ones. An operator's kick ends udp-echo
// instead. (With --no-reattach it exits when the daemon dies: UDPEchoTests.)

import Foundation
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root for TAP devices and tenant uids"))
struct DaemonRestartTests {
    @Test(arguments: Backend.allCases)
    func udpEchoAnswersAgainAfterTheDaemonRestartsWithoutBeingRestarted(_ backend: Backend) throws {
        let net = try backend.net(second: 79, prefix: "exorr")
        defer { net.remove() }
        let daemon = try net.daemon()
        defer { daemon.stop() }
        // alice's own address (.2) and a port of the shared one (.10): both come back.
        let owned = try EchoProcess(daemon, tenant: "alice", uid: TestUIDs.alice, address: net.address(2), port: 7)
        defer { owned.stop() }
        let shared = try EchoProcess(daemon, tenant: "bob", uid: TestUIDs.bob, address: net.address(10), port: 5100)
        defer { shared.stop() }
        try owned.waitUntilReady()
        try shared.waitUntilReady()
        #expect(try netcat(net, to: net.address(2), port: 7, payload: "before") == "before", "\(owned.output)")
        #expect(try netcat(net, to: net.address(10), port: 5100, payload: "before") == "before", "\(shared.output)")
        let pids = (owned.process.processIdentifier, shared.process.processIdentifier)

        try daemon.restart()
        for echo in [owned, shared] {
            try Self.eventually(within: 10) { echo.output.contains("attached again") }
        }

        #expect(try netcat(net, to: net.address(2), port: 7, payload: "after") == "after", "\(owned.output)\n\(daemon.log)")
        #expect(
            try netcat(net, to: net.address(10), port: 5100, payload: "after") == "after", "\(shared.output)\n\(daemon.log)")
        #expect(owned.process.isRunning && shared.process.isRunning)
        #expect((owned.process.processIdentifier, shared.process.processIdentifier) == pids)
        #expect(owned.output.contains("lost exokerneld"), "\(owned.output)")
    }

    @Test func aTCPConnectionAndItsListenerLiveThroughARestart() throws {
        let net = try Backend.tap.net(second: 79, prefix: "exort")
        defer { net.remove() }
        let daemon = try net.daemon(quota: 128)
        defer { daemon.stop() }
        let echo = try TCPEchoTests.startEcho(net, daemon)
        defer { echo.stop() }
        var output: String { (try? String(contentsOfFile: echo.outputPath, encoding: .utf8)) ?? "" }
        // The kernel's side of one connection, held by this process (TAP: the root namespace).
        let connection = try KernelTCPConnection(from: net.address(1), to: net.address(2), port: 7000)
        #expect(try connection.exchange("before") == "before", "\(output)")

        try daemon.restart()
        try Self.eventually(within: 10) { output.contains("attached again") }

        // The stack kept the connection (its sequence numbers, its window): the same one goes on.
        #expect(try connection.exchange("after") == "after", "\(output)\n\(daemon.log)")
        // And the listener takes new ones.
        let fresh = try TCPEchoTests.roundTrip(net, megabytes: 1, timeout: 30)
        #expect(fresh.stdout.contains("same"), "\(fresh.stdout)\(fresh.stderr)\n\(output)")
        #expect(echo.process.isRunning)
    }

    @Test func aKickEndsUDPEchoForGood() throws {
        let net = try Backend.tap.net(second: 79, prefix: "exork")
        defer { net.remove() }
        let daemon = try net.daemon()
        defer { daemon.stop() }
        let alice = try EchoProcess(daemon, tenant: "alice", uid: TestUIDs.alice, address: net.address(2), port: 7)
        defer { alice.stop() }
        try alice.waitUntilReady()

        let kick = try runCommand(BuildProducts.path("exoctl"), ["--socket", daemon.socketPath, "kick", "--tenant", "alice"])
        #expect(kick.status == 0, "\(kick.stdout)\(kick.stderr)")
        try Self.eventually(within: 5) { !alice.process.isRunning }
        #expect(alice.output.contains("gave up on exokerneld"), "\(alice.output)")
        #expect(alice.output.contains("ended by an operator (exoctl kick"), "\(alice.output)")
        #expect(!alice.output.contains("attached again"), "\(alice.output)")
        // Nor did it come back behind the test's back: alice has no session.
        let tenants = try runCommand(BuildProducts.path("exoctl"), ["--socket", daemon.socketPath, "--json", "tenants"])
        #expect(!tenants.stdout.contains("\"sessions\":1"), "\(tenants.stdout)")
    }

    /// Waits until `condition` holds, or fails after `seconds`.
    static func eventually(within seconds: TimeInterval, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            if Date() > deadline { throw HarnessError("not within \(seconds) s") }
            usleep(20_000)
        }
    }

    /// `printf PAYLOAD | nc -u` from the host kernel's `.1`; returns what came back.
    private func netcat(_ net: any TestNet, to address: String, port: Int, payload: String) throws -> String {
        let r = try net.peerCommand("/bin/sh", ["-c", "printf '%s' \"$0\" | nc -u -w 2 -s \"$1\" \"$2\" \"$3\"",
                                           payload, net.address(1), address, String(port)], timeout: 10)
        return r.stdout
    }
}

/// A TCP connection of the host kernel's, from `source` to `address:port`, with 10 s timeouts.
private final class KernelTCPConnection {
    private let fd: Int32

    init(from source: String, to address: String, port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket: errno \(errno)") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var local = Self.address(source, port: 0)
        var remote = Self.address(address, port: port)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        let connected = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, connected == 0 else {
            close(fd)
            throw HarnessError("bind/connect to \(address):\(port): errno \(errno)")
        }
    }

    deinit { close(fd) }

    /// Sends `text` and reads until as many bytes came back (or the timeout).
    func exchange(_ text: String) throws -> String {
        let bytes = Array(text.utf8)
        guard send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { throw HarnessError("send: errno \(errno)") }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while received.count < bytes.count {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { throw HarnessError("recv: \(n), errno \(errno), after \(received.count) bytes") }
            received += buffer[..<n]
        }
        return String(decoding: received, as: UTF8.self)
    }

    private static func address(_ text: String, port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, text, &address.sin_addr)
        return address
    }
}
