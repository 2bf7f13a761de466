// The operator's admin actions on a running daemon: `kick` ends tenant sessions (each told
// why, everything it held released), and revoking a token that was never redeemed withdraws
// the offer at once.

import ExoCore
import ExoPlatform
import ExoWire
import Testing

@testable import ExoDaemon

@Suite struct InProcessOperatorActionsTests {
    @Test("kick --tenant ends every session of the tenant, each told why; its frames go back to the pool")
    func kickTenant() throws {
        let daemon = try InProcessDaemon()
        let first = try daemon.attachTenant("alice")
        let second = try daemon.attachTenant("alice")
        let bob = try daemon.attachTenant("bob")
        _ = try first.call(ControlCalls.allocateAny(count: 5))
        let op = try daemon.attachOperator()

        #expect(try op.call(ControlCalls.kick(tenant: "alice", session: 0)) == 2)

        for peer in [first, second] {
            let records = try peer.takeRecords()
            #expect(records.contains { record in
                if case .reply(_, .error(.notPermitted, let detail)) = record { detail.hasPrefix("ended by an operator") } else { false }
            })
            #expect(peer.closedByDaemon)
        }
        #expect(daemon.daemon.plane.arbiter.freeFrameCount == 64)
        try bob.call(ControlCalls.ping)
        try op.call(ControlCalls.ping)
    }

    @Test("kick --session ends that tenant session only; an unknown id or an operator's is noSuchSession")
    func kickSession() throws {
        let daemon = try InProcessDaemon()
        let kicked = try daemon.attachTenant("alice")
        let alice = try daemon.attachTenant("alice")
        let op = try daemon.attachOperator()
        let ids = daemon.daemon.sessions.all.filter {
            if case .tenant = $0.role { true } else { false }
        }.map(\.connectionID).sorted()
        let operatorID = try #require(daemon.daemon.sessions.all.first {
            if case .operator = $0.role { true } else { false }
        }?.connectionID)
        let noSuchSession = Refused(error: .noSuchSession, detail: ExoError.noSuchSession.description)

        #expect(ids.count == 2)
        #expect(try op.call(ControlCalls.kick(tenant: nil, session: ids[0])) == 1)
        _ = try kicked.takeRecords()
        #expect(kicked.closedByDaemon)
        #expect(throws: noSuchSession) { try op.call(ControlCalls.kick(tenant: nil, session: ids[0])) }
        #expect(throws: noSuchSession) { try op.call(ControlCalls.kick(tenant: nil, session: operatorID)) }
        #expect(throws: noSuchSession) { try op.call(ControlCalls.kick(tenant: nil, session: 0)) }
        #expect(throws: Refused(error: .unknownTenant, detail: ExoError.unknownTenant.description)) {
            try op.call(ControlCalls.kick(tenant: "mallory", session: 0))
        }
        try alice.call(ControlCalls.ping)
        #expect(throws: Refused(error: .notOperator, detail: ExoError.notOperator.description)) {
            try alice.call(ControlCalls.kick(tenant: "alice", session: 0))
        }
    }

    @Test("revoking a token nobody redeemed withdraws the offer at once: id 0, the audience is told, redeem fails")
    func withdrawUnredeemedOffer() throws {
        let daemon = try InProcessDaemon()
        let alice = try daemon.attachTenant("alice")
        let bob = try daemon.attachTenant("bob")
        let frame = try alice.call(ControlCalls.allocateAny(count: 1))[0].frame
        let granted = try alice.call(ControlCalls.grant(frame: frame, rights: .read, audience: "bob"))
        _ = try bob.takeEvents()
        _ = try bob.call(ControlCalls.offers(Page(cursor: 0, limit: 10)))

        #expect(throws: Refused(error: .noSuchGrant, detail: ExoError.noSuchGrant.description)) {
            try bob.call(ControlCalls.revokeGrant(tokenID: granted.tokenID, deadlineMillis: 10))
        }
        #expect(try alice.call(ControlCalls.revokeGrant(tokenID: granted.tokenID, deadlineMillis: 10)) == 0)
        #expect(try bob.takeEvents() == [.offersChanged(outstanding: 0)])
        #expect(throws: Refused.self) { try bob.call(ControlCalls.redeem(granted.token)) }
    }
}
