// The data path end to end: a real daemon creates its TAP, tenants open rings and bind, the
// host's own UDP sockets talk to them, and the egress guard stops a spoofing tenant.

import Foundation
import Glibc
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root for TAP devices and tenant uids"))
struct DataPathTests {
    /// This suite's TAP name and subnet (10.77.x.0/24), unique within the test process.
    static func makeNet() -> TapNet { TapNet(second: 77, tapPrefix: "exodp") }

    static func linkExists(_ name: String) throws -> Bool {
        try runCommand("/usr/sbin/ip", ["link", "show", name]).status == 0
    }

    @Test func theHostReachesABoundTenantAndASpoofedFrameNeverReachesTheHost() throws {
        let net = Self.makeNet()
        let daemon = try net.daemon()
        defer { daemon.stop() }
        #expect(try Self.linkExists(net.tap), "\(daemon.log)")
        let a = try daemon.attachedTenant("alice", uid: TestUIDs.alice)
        defer { a.quit() }
        let b = try daemon.attachedTenant("bob", uid: TestUIDs.bob)
        defer { b.quit() }
        #expect(try a.send("bind udp \(net.address(10)) 5000") == "err noDataPath")
        let opened = try a.ok("dp-open 64")
        // The ring region arrives sealed (seal, shrink, grow) and 0600, like every frame.
        #expect(opened == "fds=3 seals=7 mode=600", "\(opened)")
        #expect(try a.send("dp-open 64") == "err dataPathAlreadyOpen")
        try b.ok("dp-open 64")

        // A receives into frames 0-7; B sends from 20-21.
        try a.ok("alloc 0 1 2 3 4 5 6 7")
        try a.ok("map 0 1 2 3 4 5 6 7")
        #expect(try a.ok("dp-fill 0 1 2 3 4 5 6 7") == "posted=8")
        try a.ok("bind udp \(net.address(10)) 5000")
        // B cannot take A's endpoint (not granted to B), nor can another session of A's own
        // tenant (already bound), nor B an address it was not granted.
        #expect(try b.send("bind udp \(net.address(10)) 5000") == "err notGranted")
        #expect(try b.send("bind addr \(net.address(2))") == "err notGranted")
        let a2 = try TenantProcess(socketPath: daemon.socketPath, uid: TestUIDs.alice)
        defer { a2.quit() }
        try a2.ok("attach alice")
        try a2.ok("dp-open 8")
        #expect(try a2.send("bind udp \(net.address(10)) 5000") == "err endpointInUse")
        try b.ok("bind udp \(net.address(10)) 5100")
        #expect(try b.send("bind udp \(net.address(10)) 5100") == "err endpointInUse")

        // The host sends from a real socket; A receives exactly that datagram.
        let host = try UDPSocket(address: net.address(1), port: 0)
        try host.send("hello-alice", to: net.address(10), port: 5000)
        let received = try a.ok("dp-recv 3000")
        #expect(received.hasSuffix("from=\(net.address(1)):\(host.port) port=5000 payload=hello-alice"), "\(received)\n\(daemon.log)")

        // B spoofs A's address: the guard drops it. B's own frame reaches the host.
        let listener = try UDPSocket(address: net.address(1), port: 0)
        try b.ok("alloc 20 21")
        try b.ok("map 20 21")
        try b.ok("dp-send-udp 20 \(net.address(2)) 5000 \(net.address(1)) \(listener.port) spoofed")
        try b.ok("dp-send-udp 21 \(net.address(10)) 5100 \(net.address(1)) \(listener.port) valid")
        #expect(try listener.receive(timeoutMilliseconds: 3000) == "valid")
        #expect(try listener.receive(timeoutMilliseconds: 500) == nil)
        #expect(try b.ok("dp-completions").contains("21"))

        // exoctl reports the drop, the bindings and the NIC.
        let stats = try Self.exoctl(daemon, ["stats", "--json"])
        #expect(stats.contains("\"tx.sourceAddressNotOwned\" : 1"), "\(stats)")
        let bindings = try Self.exoctl(daemon, ["bindings", "--json", "--tenant", "alice"])
        #expect(bindings.contains("\"port\" : 5000") && !bindings.contains("5100"), "\(bindings)")
        let nic = try Self.exoctl(daemon, ["nic", "--json"])
        #expect(nic.contains("\"name\" : \"\(net.tap)\""), "\(nic)")
        // The same through the raw protocol (the test client as operator).
        let op = try TenantProcess(socketPath: daemon.socketPath, uid: nil)
        defer { op.quit() }
        try op.ok("attach-operator")
        #expect(try op.ok("op-stats").contains("DropCount(reason: \"tx.sourceAddressNotOwned\", count: 1)"))
    }

    static func exoctl(_ daemon: DaemonHarness, _ arguments: [String]) throws -> String {
        let result = try runCommand(BuildProducts.path("exoctl"), arguments + ["--socket", daemon.socketPath])
        guard result.status == 0 else { throw HarnessError("exoctl \(arguments) failed: \(result.stderr)") }
        return result.stdout
    }

    @Test func sigkillOfTheDaemonLeavesNoTAPBehind() throws {
        let net = Self.makeNet()
        let daemon = try net.daemon()
        defer { daemon.stop() }
        #expect(try Self.linkExists(net.tap))
        daemon.kill9()
        var gone = false
        for _ in 0..<100 where !gone {
            gone = try !Self.linkExists(net.tap)
            if !gone { usleep(20_000) }
        }
        #expect(gone)
    }
}

/// A host-side UDP socket on the TAP's host address (loopback-only rule: this traffic never
/// leaves the machine; the TAP is the daemon's). Closed on deinit.
final class UDPSocket {
    let fd: Int32
    let port: UInt16

    init(address: String, port: UInt16) throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket errno \(errno)") }
        var sin = Self.socketAddress(address, port)
        let bound = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            close(fd)
            throw HarnessError("bind \(address) errno \(errno)")
        }
        var out = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &out) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        self.port = UInt16(bigEndian: out.sin_port)
    }

    deinit { close(fd) }

    static func socketAddress(_ address: String, _ port: UInt16) -> sockaddr_in {
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = port.bigEndian
        inet_pton(AF_INET, address, &sin.sin_addr)
        return sin
    }

    func send(_ text: String, to address: String, port: UInt16) throws {
        var sin = Self.socketAddress(address, port)
        let bytes = Array(text.utf8)
        let sent = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard sent == bytes.count else { throw HarnessError("sendto errno \(errno)") }
    }

    /// One datagram as text, or nil if none arrives in time.
    func receive(timeoutMilliseconds: Int32) throws -> String? {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, timeoutMilliseconds) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 2048)
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n >= 0 else { throw HarnessError("recv errno \(errno)") }
        return String(decoding: buffer.prefix(n), as: UTF8.self)
    }
}
