// What docs/PROTOCOL.md promises about the control socket, checked on a real daemon: an
// oversized record is refused and the session kept (§1, §7), tenant names cannot be probed
// (§4), and session ids, operators' included, are never reused in a run (§5.2).

import ExoPlatform
import ExoWire
import Foundation
import Testing

@Suite(.enabled(if: getuid() == 0, "integration tests run as root"))
struct ControlContractTests {
    @Test func aRecordOneByteOverTheLimitIsBatchTooLargeAndTheSessionStays() throws {
        let daemon = try DaemonHarness()
        defer { daemon.stop() }
        let peer = try RawPeer(daemon.socketPath)
        try peer.hello(role: .operator)
        // A ping header (request id 42) claiming a body that makes the record 65,537 bytes.
        var record = try MessageCodec.encode(.request(id: 42, .ping))
        let size = WireLimits.maxMessageSize + 1
        record += [UInt8](repeating: 0x5A, count: size - record.count)
        withUnsafeBytes(of: UInt32(size - 16).littleEndian) { record.replaceSubrange(12..<16, with: $0) }
        #expect(try UnixSeqpacket.send(peer.socket.raw, record))
        let reply = try #require(peer.nextMessage(timeout: 5), "\(daemon.log)")
        guard case .reply(42, .error(let code, _)) = reply else { Issue.record("got \(reply)"); return }
        #expect(code == .batchTooLarge)
        // The same session goes on.
        _ = try UnixSeqpacket.send(peer.socket.raw, try MessageCodec.encode(.request(id: 43, .ping)))
        let pong = peer.nextMessage(timeout: 5)
        #expect(pong == .reply(id: 43, .pong), "\(String(describing: pong))")
    }

    @Test func unknownAndForbiddenTenantNamesGetByteIdenticalRefusals() throws {
        let daemon = try DaemonHarness()  // alice (uid 60101) and bob (uid 60102)
        defer { daemon.stop() }
        // As an unprivileged uid: bob naming alice, and bob naming nobody configured.
        var answers: [String] = []
        for name in ["alice", "nosuchtenant"] {
            let b = try TenantProcess(socketPath: daemon.socketPath, uid: TestUIDs.bob)
            defer { b.quit() }
            answers.append(try b.send("attach \(name)"))
        }
        #expect(answers[0].hasPrefix("err notPermitted"), "\(answers)")
        #expect(answers[0] == answers[1])
        // As root (allow_root_tenants is off): the records themselves, byte for byte.
        var records: [[UInt8]] = []
        for name in ["alice", "nosuchtenant"] {
            let peer = try RawPeer(daemon.socketPath)
            let hello = Hello(minVersion: 1, maxVersion: 1, features: FeatureBits(), role: .tenant, tenantName: name)
            _ = try UnixSeqpacket.send(peer.socket.raw, try MessageCodec.encode(.request(id: 7, .hello(hello))))
            records.append(try #require(peer.nextRecord(timeout: 5)))
            #expect(peer.nextRecord(timeout: 2) == nil && peer.closed)
        }
        #expect(records[0] == records[1])
        // The operator's log still tells them apart.
        #expect(daemon.log.contains("no tenant named 'nosuchtenant'"))
    }

    @Test func everySessionIdIsUniqueOperatorsIncluded() throws {
        let daemon = try DaemonHarness()
        defer { daemon.stop() }
        var ids: [UInt64] = []
        var operators: [RawPeer] = []
        for _ in 0..<3 {
            let peer = try RawPeer(daemon.socketPath)
            ids.append(try peer.hello(role: .operator).sessionID)
            operators.append(peer)
        }
        let a = try TenantProcess(socketPath: daemon.socketPath, uid: TestUIDs.alice)
        defer { a.quit() }
        ids.append(try #require(TenantProcess.value("session", in: try a.ok("attach alice")).flatMap { UInt64($0) }))
        // Closed operator sessions' ids do not come back.
        operators.removeAll()
        usleep(100_000)
        let later = try RawPeer(daemon.socketPath)
        ids.append(try later.hello(role: .operator).sessionID)
        #expect(!ids.contains(0), "\(ids)")
        #expect(Set(ids).count == ids.count, "\(ids)")
        #expect(ids == ids.sorted(), "\(ids)")
    }
}
