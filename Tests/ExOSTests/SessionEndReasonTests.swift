// Specification of how a session tells why it ended: the daemon's final notice (an `error`
// with request id 0, sent before it closes: a kick, a reload) from the daemon going away.

import ExoWire
import Testing

@testable import ExOS

struct SessionEndReasonTests {
    /// Attaches to a peer that runs `script` after the hello, and waits for the session's end.
    /// (Whether `endReason` is nil before that is a race with the script: see the runtime tests.)
    func endReason(after script: @escaping @Sendable (PeerConnection) throws -> Void) async throws -> ExOSError? {
        let peer = try ScriptedPeer()
        peer.serve { connection in
            _ = try connection.acceptHello()
            try script(connection)
        }
        let session = try await ExOS.attach(tenant: "alice", socketPath: peer.path)
        for await _ in session.events {}  // finishes when the session ends
        return session.endReason
    }

    @Test func aKickIsTheDaemonsFinalNotice() async throws {
        let detail = "ended by an operator (exoctl kick, uid 0)"
        let reason = try await endReason { connection in
            try connection.send(.reply(id: 0, .error(.notPermitted, detail: detail)))
        }
        #expect(reason == .refused(.notPermitted, detail: detail))
    }

    @Test func aDaemonThatHangsUpLeavesTheSessionDisconnected() async throws {
        let reason = try await endReason { _ in }
        #expect(reason == .disconnected)
    }

    @Test func aReplyToNoPendingRequestIsStillAViolation() async throws {
        let reason = try await endReason { connection in
            try connection.send(.reply(id: 9, .pong))
        }
        guard case .protocolViolation = reason else {
            Issue.record("expected a protocol violation, got \(String(describing: reason))")
            return
        }
    }
}
