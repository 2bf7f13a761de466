// Specification of closing a session: its holdings end as if unref'd, its tokens die, tokens
// addressed to its tenant survive while another session of that tenant remains.
import ExoCore
import ExoWire
import Testing

@Suite struct SessionTests {
    @Test func operatorAndTenantSessionIdsAreOneSequenceNeverReused() {
        let arbiter = Fixture.arbiter()
        var ids: [SessionID] = []
        for round in 0..<50 {
            let tenant = arbiter.openSession(tenant: round % 2 == 0 ? Fixture.alice : Fixture.bob)
            ids.append(tenant)
            ids.append(arbiter.issueOperatorSessionID())
            ids.append(arbiter.issueOperatorSessionID())
            if round % 3 == 0 { _ = arbiter.closeSession(tenant) }
        }
        #expect(Set(ids).count == ids.count)
        #expect(!ids.contains(0))
        #expect(ids == ids.sorted())
        // An operator id is no tenant session: nothing can be done in its name.
        #expect(refusal { try arbiter.allocate(session: ids[1], frames: [1]) } == .notAttached)
    }

    @Test func closingEndsHoldingsFreesUnsharedFramesAndRevokesIssuedTokens() throws {
        let arbiter = Fixture.arbiter()
        let a = arbiter.openSession(tenant: Fixture.alice)
        let b = arbiter.openSession(tenant: Fixture.bob)
        _ = try arbiter.allocate(session: a, frames: [1, 2, 3])
        _ = try arbiter.redeem(session: b, token: arbiter.grant(session: a, frame: 2, rights: .read, audience: Fixture.bob).bytes)
        let pending = try arbiter.grant(session: a, frame: 3, rights: .read, audience: Fixture.bob)

        let released = arbiter.closeSession(a)
        #expect(released == Released(freedFrames: [1, 3], revokedTokens: [pending.info]))
        #expect(arbiter.usage(of: Fixture.alice) == TenantUsage(framesHeld: 0, sessions: 0))
        #expect(arbiter.freeFrameCount == 15)
        #expect(arbiter.holdings(of: a).isEmpty)
        #expect(arbiter.holdings(of: b).map(\.frame) == [2])
        #expect(refusal { try arbiter.redeem(session: b, token: pending.bytes) } == .tokenRevoked)
        #expect(arbiter.closeSession(a).isEmpty)
    }

    @Test func tokensAddressedToATenantSurviveWhileItHasAnotherSession() throws {
        let arbiter = Fixture.arbiter()
        let a = arbiter.openSession(tenant: Fixture.alice)
        let b1 = arbiter.openSession(tenant: Fixture.bob)
        let b2 = arbiter.openSession(tenant: Fixture.bob)
        _ = try arbiter.allocate(session: a, frames: [4, 5])
        let first = try arbiter.grant(session: a, frame: 4, rights: .read, audience: Fixture.bob)
        let second = try arbiter.grant(session: a, frame: 5, rights: .read, audience: Fixture.bob)

        #expect(arbiter.closeSession(b1).isEmpty)
        #expect(try arbiter.redeem(session: b2, token: first.bytes).frame == 4)
        let released = arbiter.closeSession(b2)
        #expect(released == Released(freedFrames: [], revokedTokens: [second.info]))
        let b3 = arbiter.openSession(tenant: Fixture.bob)
        #expect(refusal { try arbiter.redeem(session: b3, token: second.bytes) } == .tokenRevoked)
        #expect(arbiter.outstandingTokenCount == 0)
        #expect(arbiter.holdingCount == 2)
    }

    @Test func aTokenToOnesOwnTenantIsReportedOnceWhenItsOnlySessionCloses() throws {
        let arbiter = Fixture.arbiter()
        let a = arbiter.openSession(tenant: Fixture.alice)
        _ = try arbiter.allocate(session: a, frames: [0])
        let own = try arbiter.grant(session: a, frame: 0, rights: .read, audience: Fixture.alice)
        #expect(arbiter.closeSession(a) == Released(freedFrames: [0], revokedTokens: [own.info]))
    }

    @Test func aFrameHeldByTwoSessionsIsFreedOnlyWhenTheLastCloses() throws {
        let arbiter = Fixture.arbiter()
        let a = arbiter.openSession(tenant: Fixture.alice)
        let b = arbiter.openSession(tenant: Fixture.bob)
        _ = try arbiter.allocate(session: a, frames: [8])
        _ = try arbiter.redeem(session: b, token: arbiter.grant(session: a, frame: 8, rights: .read, audience: Fixture.bob).bytes)
        #expect(arbiter.closeSession(b).isEmpty)
        #expect(arbiter.closeSession(a).freedFrames == [8])
        #expect(arbiter.holdingCount == 0 && arbiter.sessionCount == 0)
    }
}
