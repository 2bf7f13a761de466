// Specifications of the revoker: what a revocation asks, the cap it puts on allocation, when
// it is met, and what the abort protocol takes at the deadline (idle unshared frames now,
// frames in flight as they come back, never below the floor, never another tenant's memory).
import ExoCore
import ExoWire
import Testing

@Suite struct FrameRevokerTests {
    let arbiter = Fixture.arbiter()
    let revoker = FrameRevoker()

    private func session(_ tenant: TenantID, holding count: UInt32) throws -> (SessionID, [FrameNumber]) {
        let session = arbiter.openSession(tenant: tenant)
        let frames = try arbiter.allocateAny(session: session, count: count).map(\.frame)
        return (session, frames)
    }

    @Test func asksForFramesBelowWhatItHoldsAndCapsAllocation() throws {
        let (alice, _) = try session(Fixture.alice, holding: 6)
        let revocation = try #require(
            revoker.revoke(tenant: Fixture.alice, frames: 4, reason: .operatorRequest, deadline: 100, arbiter: arbiter))
        #expect(revocation.target == 2)
        // Quota is 8, but the pending revocation caps it at 2: no allocation meanwhile.
        #expect(refusal { try arbiter.allocateAny(session: alice, count: 1) } == .overQuota)
    }

    @Test func nothingToAskWhenAtOrBelowTarget() throws {
        _ = try session(Fixture.alice, holding: 2)
        #expect(revoker.revoke(tenant: Fixture.alice, target: 2, reason: .quotaReduced, deadline: 1, arbiter: arbiter) == nil)
        #expect(revoker.book.count == 0)
    }

    @Test func theFloorIsNeverAskedFor() throws {
        let arbiter = Arbiter(
            frameCount: 16, tenants: [TenantSpec(id: 0, name: "alice", frameQuota: 8, guaranteedFrames: 3)],
            tokenKey: Fixture.key, runID: 1)
        let session = arbiter.openSession(tenant: 0)
        _ = try arbiter.allocateAny(session: session, count: 5)
        let revocation = try #require(revoker.revoke(tenant: 0, frames: 5, reason: .poolLow, deadline: 1, arbiter: arbiter))
        #expect(revocation.target == 3)
        #expect(revoker.revoke(tenant: 0, target: 3, reason: .poolLow, deadline: 1, arbiter: arbiter)?.target == 3)
        let taken = revoker.abortDue(now: 1, arbiter: arbiter)
        #expect(taken.first?.taken.count == 2)
        #expect(arbiter.usage(of: 0).framesHeld == 3)
    }

    @Test func metWhenTheTenantUnrefsFramesOfItsChoiceAndTheCapGoes() throws {
        let (alice, frames) = try session(Fixture.alice, holding: 6)
        _ = revoker.revoke(tenant: Fixture.alice, frames: 2, reason: .operatorRequest, deadline: 100, arbiter: arbiter)
        _ = try arbiter.unref(session: alice, frames: [frames[0]])
        #expect(revoker.settle(tenant: Fixture.alice, arbiter: arbiter).isEmpty)
        _ = try arbiter.unref(session: alice, frames: [frames[3]])
        #expect(revoker.settle(tenant: Fixture.alice, arbiter: arbiter).map(\.target) == [4])
        #expect(revoker.book.count == 0)
        _ = try arbiter.allocateAny(session: alice, count: 4)  // the quota alone again
        #expect(revoker.abortDue(now: 1_000, arbiter: arbiter).isEmpty)
    }

    @Test func atTheDeadlineIdleFramesAreTakenNewestFirst() throws {
        let (alice, frames) = try session(Fixture.alice, holding: 5)
        _ = revoker.revoke(tenant: Fixture.alice, frames: 2, reason: .operatorRequest, deadline: 100, arbiter: arbiter)
        #expect(revoker.abortDue(now: 99, arbiter: arbiter).isEmpty)
        let repossession = try #require(revoker.abortDue(now: 100, arbiter: arbiter).first)
        #expect(repossession.taken.map(\.frame) == [frames[4], frames[3]])
        #expect(repossession.taken.allSatisfy { $0.session == alice })
        #expect(repossession.released.freedFrames == [frames[3], frames[4]].sorted())
        #expect(arbiter.rights(session: alice, frame: frames[4]) == nil)
        #expect(arbiter.usage(of: Fixture.alice).framesHeld == 3)
        #expect(refusal { try arbiter.unref(session: alice, frames: [frames[4]]) } == .notHolder)
    }

    @Test func framesInFlightAreCondemnedAndTakenWhenTheyComeBack() throws {
        let (alice, frames) = try session(Fixture.alice, holding: 3)
        for frame in frames { #expect(arbiter.inFlight.admit(session: alice, frame: frame) == .admitted) }
        _ = revoker.revoke(tenant: Fixture.alice, frames: 2, reason: .operatorRequest, deadline: 5, arbiter: arbiter)
        let repossession = try #require(revoker.abortDue(now: 5, arbiter: arbiter).first)
        #expect(repossession.taken.isEmpty)
        #expect(repossession.condemned.count == 2)
        #expect(revoker.hasCondemned)
        let doomed = repossession.condemned.map(\.frame)
        let spared = try #require(frames.first { !doomed.contains($0) })
        // The spared frame comes back and stays the tenant's.
        _ = arbiter.inFlight.remove(session: alice, frame: spared)
        #expect(revoker.handedBack(session: alice, frame: spared, arbiter: arbiter) == nil)
        #expect(arbiter.rights(session: alice, frame: spared) != nil)
        for frame in doomed {
            _ = arbiter.inFlight.remove(session: alice, frame: frame)
            let taken = try #require(revoker.handedBack(session: alice, frame: frame, arbiter: arbiter))
            #expect(taken.revocation == repossession.revocation.id)
            #expect(taken.released.freedFrames == [frame])
            #expect(!taken.move)
        }
        #expect(!revoker.hasCondemned)
        #expect(arbiter.usage(of: Fixture.alice).framesHeld == 1)
    }

    @Test func aFrameAnotherTenantHoldsIsNotTaken() throws {
        let (alice, frames) = try session(Fixture.alice, holding: 2)
        let bob = arbiter.openSession(tenant: Fixture.bob)
        let token = try arbiter.grant(session: alice, frame: frames[1], rights: .owner, audience: Fixture.bob)
        _ = try arbiter.redeem(session: bob, token: token.bytes)
        _ = revoker.revoke(tenant: Fixture.alice, frames: 2, reason: .operatorRequest, deadline: 1, arbiter: arbiter)
        let repossession = try #require(revoker.abortDue(now: 1, arbiter: arbiter).first)
        #expect(repossession.taken.map(\.frame) == [frames[0]])
        #expect(arbiter.rights(session: bob, frame: frames[1]) != nil)
        #expect(arbiter.rights(session: alice, frame: frames[1]) != nil)
    }

    @Test func aClosedSessionLeavesNothingCondemned() throws {
        let (alice, frames) = try session(Fixture.alice, holding: 1)
        #expect(arbiter.inFlight.admit(session: alice, frame: frames[0]) == .admitted)
        _ = revoker.revoke(tenant: Fixture.alice, frames: 1, reason: .operatorRequest, deadline: 1, arbiter: arbiter)
        _ = revoker.abortDue(now: 1, arbiter: arbiter)
        #expect(revoker.hasCondemned)
        _ = arbiter.closeSession(alice)
        revoker.sessionClosed(alice)
        #expect(!revoker.hasCondemned)
    }

    @Test func aRevokedGrantIsTakenFromItsRedeemerAndItsFrameMarkedToMove() throws {
        let (alice, frames) = try session(Fixture.alice, holding: 2)
        let bob = arbiter.openSession(tenant: Fixture.bob)
        let token = try arbiter.grant(session: alice, frame: frames[0], rights: .owner, audience: Fixture.bob)
        let redeemed = try arbiter.redeem(session: bob, token: token.bytes)
        #expect(refusal { try revoker.revokeGrant(tokenID: token.info.tokenID, by: Fixture.bob, deadline: 5, arbiter: arbiter) } == .noSuchGrant)
        let revocation = try revoker.revokeGrant(tokenID: token.info.tokenID, by: Fixture.alice, deadline: 5, arbiter: arbiter)
        #expect(revocation.tenant == Fixture.bob && revocation.holdings == [redeemed.id] && revocation.frames == [frames[0]])
        let repossession = try #require(revoker.abortDue(now: 5, arbiter: arbiter).first)
        #expect(repossession.taken.map(\.frame) == [frames[0]])
        #expect(repossession.moves == [frames[0]])
        #expect(repossession.released.freedFrames.isEmpty)
        #expect(arbiter.rights(session: bob, frame: frames[0]) == nil)
        #expect(arbiter.rights(session: alice, frame: frames[0]) == .owner)
    }

    @Test func aRevokedGrantInFlightIsTakenWhenItComesBackAndMoves() throws {
        let (alice, frames) = try session(Fixture.alice, holding: 1)
        let bob = arbiter.openSession(tenant: Fixture.bob)
        let token = try arbiter.grant(session: alice, frame: frames[0], rights: .owner, audience: Fixture.bob)
        _ = try arbiter.redeem(session: bob, token: token.bytes)
        #expect(arbiter.inFlight.admit(session: bob, frame: frames[0]) == .admitted)
        _ = try revoker.revokeGrant(tokenID: token.info.tokenID, by: nil, deadline: 1, arbiter: arbiter)
        let repossession = try #require(revoker.abortDue(now: 1, arbiter: arbiter).first)
        #expect(repossession.taken.isEmpty && repossession.condemned.count == 1)
        _ = arbiter.inFlight.remove(session: bob, frame: frames[0])
        let taken = try #require(revoker.handedBack(session: bob, frame: frames[0], arbiter: arbiter))
        #expect(taken.move && taken.released.freedFrames.isEmpty)
    }
}
