// The control socket under pressure: a peer that never says hello, one that never reads, too
// many connections, and a daemon that runs out of descriptors. Each is refused or dropped with
// a reason, and the daemon keeps serving.

import ExoPlatform
import ExoWire
import Foundation
import Testing

@Suite(.enabled(if: getuid() == 0, "integration tests run as root"))
struct ControlSocketRobustnessTests {
    @Test func aPeerThatNeverSaysHelloIsToldAndDisconnected() throws {
        let daemon = try DaemonHarness()  // handshake_timeout_ms = 1000
        defer { daemon.stop() }
        let peer = try RawPeer(daemon.socketPath)
        let started = Date()
        let reply = try #require(peer.nextMessage(timeout: 5))
        #expect(Date().timeIntervalSince(started) > 0.8)
        guard case .reply(_, .error(let code, _)) = reply else { Issue.record("got \(reply)"); return }
        #expect(code == .handshakeTimeout)
        #expect(peer.nextMessage(timeout: 2) == nil && peer.closed)
    }

    @Test func aPeerThatNeverReadsIsDisconnectedNotBuffered() throws {
        let daemon = try DaemonHarness()
        defer { daemon.stop() }
        let peer = try RawPeer(daemon.socketPath)
        try peer.hello(role: .operator)
        // Pings without reading: the socket buffer fills, then the daemon's bounded queue.
        var sent = 0
        let deadline = Date().addingTimeInterval(10)
        sending: while Date() < deadline {
            switch peer.sendNonBlocking(.request(id: UInt32(sent + 2), .ping)) {
            case .sent: sent += 1
            case .wouldBlock: peer.waitWritable(milliseconds: 50)
            case .disconnected: break sending
            }
        }
        usleep(100_000)
        #expect(daemon.log.contains("outbound queue full"), "sent \(sent): \(daemon.log)")
        // The daemon still serves others.
        let other = try RawPeer(daemon.socketPath)
        try other.hello(role: .operator)
    }

    @Test func connectionCapsRefuseWithAReason() throws {
        let daemon = try DaemonHarness(daemonExtra: "max_connections = 8\nmax_connections_per_uid = 4")
        defer { daemon.stop() }
        var held: [RawPeer] = []
        for _ in 0..<4 { held.append(try RawPeer(daemon.socketPath)) }
        let fifth = try RawPeer(daemon.socketPath)
        let reply = try #require(fifth.nextMessage(timeout: 2))
        guard case .reply(_, .error(let code, let detail)) = reply else { Issue.record("got \(reply)"); return }
        #expect(code == .tooManyConnections)
        #expect(detail.contains("max_connections_per_uid"))
        held.removeAll()
        usleep(100_000)
        let again = try RawPeer(daemon.socketPath)
        try again.hello(role: .operator)
    }

    @Test func acceptSurvivesRunningOutOfDescriptors() throws {
        let daemon = try DaemonHarness()
        defer { daemon.stop() }
        let pid = daemon.pid
        let open = try #require(ResourceLimits.openDescriptorCount(pid: pid))
        // Leave the daemon two descriptors of headroom, then connect more peers than that.
        try setDescriptorLimit(pid: pid, to: open + 2)
        var peers: [RawPeer] = []
        for _ in 0..<6 { peers.append(try RawPeer(daemon.socketPath)) }
        usleep(200_000)
        #expect(daemon.log.contains("out of file descriptors"), "\(daemon.log)")
        peers.removeAll()
        try setDescriptorLimit(pid: pid, to: 20_000)
        usleep(100_000)
        let later = try RawPeer(daemon.socketPath)
        try later.hello(role: .operator)
    }

    private func setDescriptorLimit(pid: Int32, to limit: Int) throws {
        // Only the soft limit: lowering the hard one could not be undone without CAP_SYS_RESOURCE.
        let r = try runCommand("/usr/bin/prlimit", ["--pid", String(pid), "--nofile=\(limit):"])
        guard r.status == 0 else { throw HarnessError("prlimit: \(r.stderr)") }
    }
}

/// A control-socket peer speaking raw records, for tests that misbehave on purpose.
final class RawPeer {
    let socket: OwnedDescriptor
    private(set) var closed = false
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: WireLimits.maxMessageSize + 1, alignment: 16)

    init(_ path: String) throws {
        socket = try UnixSeqpacket.connect(path: path)
    }

    deinit { buffer.deallocate() }

    /// Says hello and returns the daemon's acceptance; throws if refused.
    @discardableResult
    func hello(role: PeerRole, tenant: String = "") throws -> HelloAccepted {
        let hello = Hello(minVersion: 1, maxVersion: 1, features: FeatureBits(), role: role, tenantName: tenant)
        _ = try UnixSeqpacket.send(socket.raw, try MessageCodec.encode(.request(id: 1, .hello(hello))))
        guard case .reply(1, .helloAccepted(let accepted))? = nextMessage(timeout: 5) else {
            throw HarnessError("hello not accepted")
        }
        return accepted
    }

    /// The next record's bytes exactly as received within `timeout` seconds; nil on timeout
    /// or end of stream.
    func nextRecord(timeout: Double) -> [UInt8]? {
        var p = pollfd(fd: socket.raw, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, Int32(timeout * 1000)) == 1 else { return nil }
        guard let record = try? UnixSeqpacket.receive(socket.raw, into: buffer), !record.isEndOfStream else {
            closed = true
            return nil
        }
        return Array(buffer[..<record.byteCount])
    }

    enum SendOutcome { case sent, wouldBlock, disconnected }

    func sendNonBlocking(_ message: Message) -> SendOutcome {
        guard let bytes = try? MessageCodec.encode(message) else { return .disconnected }
        let n = bytes.withUnsafeBytes { Glibc.send(socket.raw, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL)) }
        if n == bytes.count { return .sent }
        return errno == EAGAIN ? .wouldBlock : .disconnected
    }

    func waitWritable(milliseconds: Int32) {
        var p = pollfd(fd: socket.raw, events: Int16(POLLOUT), revents: 0)
        _ = poll(&p, 1, milliseconds)
    }

    /// The next message within `timeout` seconds; nil on timeout or end of stream (`closed`).
    func nextMessage(timeout: Double) -> Message? {
        var p = pollfd(fd: socket.raw, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, Int32(timeout * 1000)) == 1 else { return nil }
        guard let record = try? UnixSeqpacket.receive(socket.raw, into: buffer) else { closed = true; return nil }
        if record.isEndOfStream { closed = true; return nil }
        return try? MessageCodec.decode(UnsafeRawBufferPointer(rebasing: buffer[..<record.byteCount]))
    }
}
