// Outstanding tokens are bounded per issuer and per audience (issue 8, item 2): a tenant can
// fill its own allowance, never another's, and a token that stops being outstanding frees
// its place. Offers are listed with tokens the audience can redeem.
import Crypto
import ExoCore
import ExoWire
import Testing

@Suite struct TokenLimitTests {
    static func arbiter(_ limits: TenantLimits) -> Arbiter {
        Arbiter(
            frameCount: 16,
            tenants: Fixture.tenants.map { TenantSpec(id: $0.id, name: $0.name, frameQuota: $0.frameQuota, limits: limits) },
            tokenKey: Fixture.key, runID: Fixture.runID)
    }

    @Test func anIssuerStopsAtItsTokenLimitWhicheverAudienceItNames() throws {
        let arbiter = Self.arbiter(TenantLimits(tokensIssued: 4, offersReceived: 1000))
        let alice = arbiter.openSession(tenant: Fixture.alice)
        _ = try arbiter.allocate(session: alice, frames: [0])
        for audience in [Fixture.bob, Fixture.carol, Fixture.bob, Fixture.alice] {
            _ = try arbiter.grant(session: alice, frame: 0, rights: .read, audience: audience)
        }
        #expect(refusal { try arbiter.grant(session: alice, frame: 0, rights: .read, audience: Fixture.carol) } == .tokenLimit)
        #expect(arbiter.tokenCount(issuedBy: Fixture.alice) == 4)
        // Bob's own allowance is untouched by Alice's.
        let bob = arbiter.openSession(tenant: Fixture.bob)
        _ = try arbiter.allocate(session: bob, frames: [1])
        _ = try arbiter.grant(session: bob, frame: 1, rights: .read, audience: Fixture.carol)
    }

    @Test func twentyThousandGrantsToATenantThatNeverAttachedStopAtItsShare() throws {
        // Three tenants: one issuer may hold a third of an audience's 1024 offers.
        let arbiter = Self.arbiter(TenantLimits(tokensIssued: 65_536, offersReceived: 1024))
        let alice = arbiter.openSession(tenant: Fixture.alice)
        _ = try arbiter.allocate(session: alice, frames: [0])
        var accepted = 0
        var refusals: [ExoError: Int] = [:]
        for _ in 0..<20_000 {
            if let error = refusal({ try arbiter.grant(session: alice, frame: 0, rights: .read, audience: Fixture.carol) }) {
                refusals[error, default: 0] += 1
            } else {
                accepted += 1
            }
        }
        #expect(accepted == 1024 / 3)
        #expect(refusals == [.offerLimit: 20_000 - 1024 / 3])
        #expect(arbiter.offerCount(to: Fixture.carol) == 1024 / 3)
        #expect(arbiter.outstandingTokenCount == 1024 / 3)
    }

    @Test func anIssuerAtItsShareLeavesRoomForTheOthers() throws {
        let arbiter = Self.arbiter(TenantLimits(offersReceived: 6))
        let alice = arbiter.openSession(tenant: Fixture.alice)
        let bob = arbiter.openSession(tenant: Fixture.bob)
        _ = try arbiter.allocate(session: alice, frames: [0])
        _ = try arbiter.allocate(session: bob, frames: [1])
        for _ in 0..<2 { _ = try arbiter.grant(session: alice, frame: 0, rights: .read, audience: Fixture.carol) }
        #expect(refusal { try arbiter.grant(session: alice, frame: 0, rights: .read, audience: Fixture.carol) } == .offerLimit)
        for _ in 0..<2 { _ = try arbiter.grant(session: bob, frame: 1, rights: .read, audience: Fixture.carol) }
        #expect(arbiter.offerCount(to: Fixture.carol) == 4)
    }

    @Test func redeemedAndRevokedTokensFreeTheirPlaces() throws {
        let arbiter = Self.arbiter(TenantLimits(tokensIssued: 2, offersReceived: 1000))
        let alice = arbiter.openSession(tenant: Fixture.alice)
        let bob = arbiter.openSession(tenant: Fixture.bob)
        _ = try arbiter.allocate(session: alice, frames: [0, 1])
        let first = try arbiter.grant(session: alice, frame: 0, rights: .read, audience: Fixture.bob)
        _ = try arbiter.grant(session: alice, frame: 1, rights: .read, audience: Fixture.bob)
        #expect(refusal { try arbiter.grant(session: alice, frame: 0, rights: .read, audience: Fixture.bob) } == .tokenLimit)
        _ = try arbiter.redeem(session: bob, token: first.bytes)
        _ = try arbiter.grant(session: alice, frame: 0, rights: .read, audience: Fixture.bob)
        _ = try arbiter.unref(session: alice, frames: [1])
        #expect(arbiter.tokenCount(issuedBy: Fixture.alice) == 1)
        #expect(arbiter.offerCount(to: Fixture.bob) == 1)
    }

    @Test func theAudienceListsItsOffersWithTokensItCanRedeem() throws {
        let arbiter = Fixture.arbiter()
        let alice = arbiter.openSession(tenant: Fixture.alice)
        let bob = arbiter.openSession(tenant: Fixture.bob)
        _ = try arbiter.allocate(session: alice, frames: [0, 1, 2])
        let issued = try (0..<3).map { try arbiter.grant(session: alice, frame: UInt32($0), rights: .read, audience: Fixture.bob) }
        _ = try arbiter.grant(session: alice, frame: 0, rights: .read, audience: Fixture.carol)
        let firstPage = arbiter.offers(to: Fixture.bob, from: 0, limit: 2)
        #expect(firstPage.entries == Array(issued.prefix(2)))
        #expect(firstPage.next == issued[2].info.tokenID)
        let rest = arbiter.offers(to: Fixture.bob, from: firstPage.next!, limit: 2)
        #expect(rest.entries == [issued[2]] && rest.next == nil)
        let holding = try arbiter.redeem(session: bob, token: rest.entries[0].bytes)
        #expect(holding.frame == 2)
        #expect(arbiter.offers(to: Fixture.bob, from: 0, limit: 10).entries.map(\.info.tokenID) == issued.prefix(2).map(\.info.tokenID))
    }
}
