// Specification of the revocation counters the metrics export: each revocation counted once
// when it starts (a tightened one is not started again) and once when it ends, by how; every
// holding the abort protocol takes counted, now or as its frame comes back.
import ExoCore
import ExoWire
import Testing

@Suite struct RevocationTallyTests {
    @Test func eachRevocationIsCountedOnceWhenItStartsAndOnceWhenItEnds() {
        var book = RevocationBook()
        _ = book.requestCount(tenant: 1, reason: .poolLow, target: 4, deadline: 100)
        _ = book.requestCount(tenant: 1, reason: .operatorRequest, target: 2, deadline: 50)  // tightens
        _ = book.requestCount(tenant: 2, reason: .quotaReduced, target: 0, deadline: 100)
        _ = book.requestHoldings(tenant: 3, holdings: [9], deadline: 100)
        _ = book.requestHoldings(tenant: 4, holdings: [10], deadline: 1000)
        #expect(book.tally.started(.poolLow) == 1)
        #expect(book.tally.started(.operatorRequest) == 0)
        #expect(book.tally.started(.quotaReduced) == 1)
        #expect(book.tally.started(.grantRevoked) == 2)

        _ = book.settle(tenant: 1, held: 2, isLive: { _ in true })
        _ = book.due(now: 100)
        book.forget(tenant: 4)
        #expect(book.tally.ended(.returned) == 1)
        #expect(book.tally.ended(.repossessed) == 2)
        #expect(book.tally.ended(.tenantGone) == 1)
        #expect(book.count == 0)
        let ended = RevocationTally.Ending.allCases.reduce(0) { $0 + book.tally.ended($1) }
        let started = RevocationReason.allCases.reduce(0) { $0 + book.tally.started($1) }
        #expect(ended == started)
    }

    @Test func holdingsTheAbortProtocolTakesAreCountedNowAndAsTheyComeBack() throws {
        let arbiter = Fixture.arbiter()
        let revoker = FrameRevoker()
        let alice = arbiter.openSession(tenant: Fixture.alice)
        let frames = try arbiter.allocateAny(session: alice, count: 4).map(\.frame)
        #expect(arbiter.inFlight.admit(session: alice, frame: frames[0]) == .admitted)
        #expect(arbiter.inFlight.admit(session: alice, frame: frames[1]) == .admitted)
        // Asks for 3 of 4: two idle frames are taken at the deadline, one on a ring condemned.
        _ = revoker.revoke(tenant: Fixture.alice, frames: 3, reason: .operatorRequest, deadline: 5, arbiter: arbiter)
        let repossession = try #require(revoker.abortDue(now: 5, arbiter: arbiter).first)
        #expect(repossession.taken.count == 2 && repossession.condemned.count == 1)
        #expect(revoker.book.tally.holdingsRepossessed == 2)
        let doomed = repossession.condemned[0].frame
        _ = arbiter.inFlight.remove(session: alice, frame: doomed)
        #expect(revoker.handedBack(session: alice, frame: doomed, arbiter: arbiter) != nil)
        #expect(revoker.book.tally.holdingsRepossessed == 3)
        #expect(revoker.book.tally.ended(.repossessed) == 1)
    }
}
