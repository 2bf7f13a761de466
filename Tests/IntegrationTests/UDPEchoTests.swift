// A real library-OS application on the data path: udp-echo (ExOS) as two tenant uids behind
// the daemon's NIC (TAP, or AF_PACKET on a veth), and the host kernel's own netcat as the
// peer. Each tenant sees exactly its own datagrams, checks their checksums itself, and the
// host gets its bytes back.

import Foundation
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root for TAP devices and tenant uids"))
struct UDPEchoTests {
    @Test(arguments: Backend.allCases)
    func twoTenantsEchoExactlyTheirOwnDatagramsToHostNetcat(_ backend: Backend) throws {
        let net = try backend.net(second: 79, prefix: "exoec")
        defer { net.remove() }
        let daemon = try net.daemon()
        defer { daemon.stop() }
        let alice = try EchoProcess(daemon, tenant: "alice", uid: TestUIDs.alice, address: net.address(2), port: 7)
        defer { alice.stop() }
        let bob = try EchoProcess(daemon, tenant: "bob", uid: TestUIDs.bob, address: net.address(10), port: 5100)
        defer { bob.stop() }
        try alice.waitUntilReady()
        try bob.waitUntilReady()

        // alice owns her address whole: the host's ARP request is answered by her library OS.
        let toAlice = try netcat(net, from: net.address(1), to: net.address(2), port: 7, payload: "for-alice")
        #expect(toAlice == "for-alice", "alice: \(alice.output)\ndaemon: \(daemon.log)")
        // bob has a port share of a shared address: the daemon answers ARP, bob echoes.
        let toBob = try netcat(net, from: net.address(1), to: net.address(10), port: 5100, payload: "for-bob")
        #expect(toBob == "for-bob", "bob: \(bob.output)\ndaemon: \(daemon.log)")
        // A port of the shared address nobody bound: no answer, and neither tenant sees it.
        let toNobody = try netcat(net, from: net.address(1), to: net.address(10), port: 5150, payload: "for-nobody")
        #expect(toNobody.isEmpty)

        alice.stop()
        bob.stop()
        #expect(alice.output.contains("echo 9 bytes from \(net.address(1))"))
        #expect(!alice.output.contains("echo 7 bytes") && !alice.output.contains("echo 10 bytes"))
        #expect(bob.output.contains("echo 7 bytes from \(net.address(1))"))
        #expect(!bob.output.contains("echo 9 bytes") && !bob.output.contains("echo 10 bytes"))
    }

    @Test(arguments: Backend.allCases)
    func theDaemonAnswersPingForASharedAddress(_ backend: Backend) throws {
        let net = try backend.net(second: 79, prefix: "exoec")
        defer { net.remove() }
        let daemon = try net.daemon()
        defer { daemon.stop() }
        // .10 is split by port between alice and bob: neither owns its echo, the daemon
        // answers it once, with the shared address's MAC.
        let ping = try net.peerCommand("/bin/ping", ["-c", "2", "-W", "2", "-I", net.peerLink, net.address(10)], timeout: 10)
        #expect(ping.status == 0, "\(ping.stdout)\(ping.stderr)\n\(daemon.log)")
        #expect(ping.stdout.contains("2 received"), "\(ping.stdout)")
    }

    @Test func anEchoServerWhoseDaemonDiesExitsWithoutReattaching() throws {
        let net = try Backend.tap.net(second: 79, prefix: "exoed")
        defer { net.remove() }
        let daemon = try net.daemon()
        defer { daemon.stop() }
        let alice = try EchoProcess(
            daemon, tenant: "alice", uid: TestUIDs.alice, address: net.address(2), port: 7, extra: ["--no-reattach"])
        defer { alice.stop() }
        try alice.waitUntilReady()
        // The daemon's end of the control socket closes with it: the library OS notices and,
        // told not to attach again, the application ends rather than waiting on its rings
        // forever. (Attaching again, the default: DaemonRestartTests.)
        daemon.kill9()
        let deadline = Date().addingTimeInterval(5)
        while alice.process.isRunning && Date() < deadline { usleep(20_000) }
        #expect(!alice.process.isRunning, "udp-echo outlived its daemon: \(alice.output)")
        #expect(alice.output.contains("disconnected"), "\(alice.output)")
    }

    /// `echo PAYLOAD | nc -u` from the host kernel's side of the wire; returns what came back.
    private func netcat(_ net: any TestNet, from source: String, to address: String, port: Int, payload: String) throws
        -> String
    {
        let r = try net.peerCommand("/bin/sh", ["-c", "printf '%s' \"$0\" | nc -u -w 2 -s \"$1\" \"$2\" \"$3\"",
                                           payload, source, address, String(port)], timeout: 10)
        return r.stdout
    }
}

/// One udp-echo tenant process, its output collected in a file.
final class EchoProcess: @unchecked Sendable {
    let process = Process()
    let outputPath: String

    /// `extra`: more udp-echo options (e.g. `--frames 128`).
    init(_ daemon: DaemonHarness, tenant: String, uid: UInt32, address: String, port: Int, extra: [String] = []) throws {
        outputPath = daemon.directory + "/\(tenant)-echo.out"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        let out = FileHandle(forWritingAtPath: outputPath)!
        process.executableURL = URL(fileURLWithPath: BuildProducts.path("udp-echo"))
        process.arguments = ["--tenant", tenant, "--address", address, "--port", String(port),
                             "--socket", daemon.socketPath, "--as-uid", String(uid)] + extra
        process.standardOutput = out
        process.standardError = out
        try process.run()
    }

    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    /// Waits until the app has bound its endpoint (it says so), or fails with its output.
    func waitUntilReady() throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if output.contains(" serving ") { return }
            if !process.isRunning { throw HarnessError("udp-echo exited: \(output)") }
            usleep(20_000)
        }
        throw HarnessError("udp-echo not ready: \(output)")
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(3)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
    }
}
