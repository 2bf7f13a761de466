// Specification of grant and redeem: who may grant what to whom, that rights only narrow,
// and that a grant moves nothing into anyone's quota until the audience redeems it.
import ExoCore
import ExoWire
import Testing

@Suite struct GrantTests {
    @Test func grantRefusalsComeInTheDocumentedOrder() throws {
        let arbiter = Fixture.arbiter()
        let a = arbiter.openSession(tenant: Fixture.alice)
        let b = arbiter.openSession(tenant: Fixture.bob)
        _ = try arbiter.allocate(session: a, frames: [1])
        _ = try arbiter.redeem(session: b, token: arbiter.grant(session: a, frame: 1, rights: [.read, .write], audience: Fixture.bob).bytes)

        #expect(refusal { try arbiter.grant(session: a, frame: 16, rights: .read, audience: Fixture.bob) } == .outOfRange)
        #expect(refusal { try arbiter.grant(session: a, frame: 2, rights: .read, audience: Fixture.bob) } == .notHolder)
        #expect(refusal { try arbiter.grant(session: b, frame: 1, rights: .read, audience: Fixture.carol) } == .noGrantRight)
        #expect(refusal { try arbiter.grant(session: a, frame: 1, rights: [.write], audience: Fixture.bob) } == .rightsExceeded)
        #expect(refusal { try arbiter.grant(session: a, frame: 1, rights: [], audience: Fixture.bob) } == .rightsExceeded)
        #expect(refusal { try arbiter.grant(session: a, frame: 1, rights: Rights(rawValue: 0x09), audience: Fixture.bob) } == .rightsExceeded)
        #expect(refusal { try arbiter.grant(session: a, frame: 1, rights: .read, audience: 42) } == .unknownTenant)
        #expect(arbiter.outstandingTokenCount == 0)
    }

    @Test func aGrantCannotWidenTheRightsItDerivesFrom() throws {
        let arbiter = Fixture.arbiter()
        let a = arbiter.openSession(tenant: Fixture.alice)
        let b = arbiter.openSession(tenant: Fixture.bob)
        _ = try arbiter.allocate(session: a, frames: [1])
        let readGrant = try arbiter.grant(session: a, frame: 1, rights: [.read, .grant], audience: Fixture.bob)
        let bobs = try arbiter.redeem(session: b, token: readGrant.bytes)
        #expect(bobs.rights == [.read, .grant])
        #expect(refusal { try arbiter.grant(session: b, frame: 1, rights: [.read, .write], audience: Fixture.carol) } == .rightsExceeded)
        #expect(refusal { try arbiter.grant(session: b, frame: 1, rights: .owner, audience: Fixture.carol) } == .rightsExceeded)
        #expect(try arbiter.grant(session: b, frame: 1, rights: .read, audience: Fixture.carol).info.rights == .read)
    }

    @Test func redeemGivesTheAudienceAnIndependentHoldingCountedAgainstItsQuota() throws {
        let arbiter = Fixture.arbiter()
        let a = arbiter.openSession(tenant: Fixture.alice)
        let b = arbiter.openSession(tenant: Fixture.bob)
        let owner = try arbiter.allocate(session: a, frames: [9])[0]
        let token = try arbiter.grant(session: a, frame: 9, rights: .read, audience: Fixture.bob)
        #expect(token.info == OutstandingToken(
            tokenID: token.info.tokenID, frame: 9, rights: .read, issuerTenant: Fixture.alice,
            issuerSession: a, issuerHolding: owner.id, audience: Fixture.bob))
        #expect(token.bytes.count == CapabilityToken.byteCount)
        #expect(arbiter.usage(of: Fixture.bob).framesHeld == 0)

        let bobs = try arbiter.redeem(session: b, token: token.bytes)
        #expect(bobs.frame == 9 && bobs.session == b && bobs.tenant == Fixture.bob && bobs.rights == .read)
        #expect(bobs.epoch == owner.epoch && bobs.id != owner.id)
        #expect(arbiter.usage(of: Fixture.bob).framesHeld == 1)
        #expect(arbiter.usage(of: Fixture.alice).framesHeld == 1)
        #expect(arbiter.outstandingTokenCount == 0)
        #expect(arbiter.frameStates(tenant: nil, from: 9, limit: 1).entries.first?.holders == [owner, bobs])
    }

    @Test func grantsDoNotCountAgainstAnyQuotaUntilRedeemed() throws {
        let arbiter = Fixture.arbiter()
        let a = arbiter.openSession(tenant: Fixture.alice)
        let c = arbiter.openSession(tenant: Fixture.carol)
        _ = try arbiter.allocate(session: a, frames: [0, 1, 2, 3])
        let tokens = try (0..<4 as Range<FrameNumber>).map { frame throws(ExoError) in
            try arbiter.grant(session: a, frame: frame, rights: .read, audience: Fixture.carol)
        }
        #expect(arbiter.usage(of: Fixture.carol).framesHeld == 0)
        #expect(arbiter.usage(of: Fixture.alice).framesHeld == 4)
        // Carol's quota is 2: the third redeem is refused and that token stays redeemable.
        _ = try arbiter.redeem(session: c, token: tokens[0].bytes)
        _ = try arbiter.redeem(session: c, token: tokens[1].bytes)
        #expect(refusal { try arbiter.redeem(session: c, token: tokens[2].bytes) } == .overQuota)
        #expect(arbiter.outstandingTokenCount == 2)
        _ = try arbiter.unref(session: c, frames: [0])
        #expect(try arbiter.redeem(session: c, token: tokens[2].bytes).frame == 2)
    }

    @Test func grantingToOnesOwnTenantLetsAnotherSessionRedeemButNotTheIssuer() throws {
        let arbiter = Fixture.arbiter()
        let a1 = arbiter.openSession(tenant: Fixture.alice)
        let a2 = arbiter.openSession(tenant: Fixture.alice)
        _ = try arbiter.allocate(session: a1, frames: [5])
        let token = try arbiter.grant(session: a1, frame: 5, rights: [.read, .write], audience: Fixture.alice)
        #expect(refusal { try arbiter.redeem(session: a1, token: token.bytes) } == .alreadyHolder)
        #expect(try arbiter.redeem(session: a2, token: token.bytes).rights == [.read, .write])
        #expect(arbiter.usage(of: Fixture.alice).framesHeld == 2)
    }

    @Test func aSessionHoldsAFrameAtMostOnce() throws {
        let arbiter = Fixture.arbiter()
        let a = arbiter.openSession(tenant: Fixture.alice)
        let b = arbiter.openSession(tenant: Fixture.bob)
        _ = try arbiter.allocate(session: a, frames: [5])
        let first = try arbiter.grant(session: a, frame: 5, rights: .read, audience: Fixture.bob)
        let second = try arbiter.grant(session: a, frame: 5, rights: .read, audience: Fixture.bob)
        _ = try arbiter.redeem(session: b, token: first.bytes)
        #expect(refusal { try arbiter.redeem(session: b, token: second.bytes) } == .alreadyHolder)
        #expect(arbiter.holdings(of: b).count == 1)
        #expect(arbiter.outstandingTokenCount == 1)
    }

    @Test func theRedeemersHoldingSurvivesTheIssuersUnrefAndKeepsTheFrameAllocated() throws {
        let arbiter = Fixture.arbiter()
        let a = arbiter.openSession(tenant: Fixture.alice)
        let b = arbiter.openSession(tenant: Fixture.bob)
        let c = arbiter.openSession(tenant: Fixture.carol)
        _ = try arbiter.allocate(session: a, frames: [7])
        _ = try arbiter.redeem(session: b, token: arbiter.grant(session: a, frame: 7, rights: .owner, audience: Fixture.bob).bytes)
        let fromBob = try arbiter.grant(session: b, frame: 7, rights: .read, audience: Fixture.carol)
        _ = try arbiter.unref(session: a, frames: [7])
        #expect(refusal { try arbiter.allocate(session: c, frames: [7]) } == .alreadyAllocated)
        // Bob's token derives from bob's holding, which is still alive.
        #expect(try arbiter.redeem(session: c, token: fromBob.bytes).frame == 7)
    }
}
