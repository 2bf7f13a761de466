// The daemon's fairness rule for control requests (docs/SECURITY.md, "Fairness"): owners take
// turns round robin, sessions of one owner take turns within its turn, and an owner's time
// bucket refills at its share of the clock up to a burst, so a flooder's requests wait.

@testable import ExoDaemon
import Testing

@Suite struct ControlTurnsTests {
    static let budget = ControlTurns.Budget(requestsPerTurn: 8, share: .init(denominator: 8), burstNanoseconds: 10_000_000)
    static let bob = ControlTurns.Owner.tenant(1)
    static let alice = ControlTurns.Owner.tenant(0)

    /// Whether `owner` may start a request at `now` (`mayServe` refills, so it mutates).
    static func serves(_ turns: inout ControlTurns, _ owner: ControlTurns.Owner, now: UInt64) -> Bool {
        turns.mayServe(owner, now: now)
    }

    @Test func ownersTakeTurnsInTheOrderTheirRequestsArrived() {
        var turns = ControlTurns(budget: Self.budget)
        turns.markWaiting(10, owner: Self.bob)
        turns.markWaiting(11, owner: Self.bob)
        turns.markWaiting(20, owner: Self.alice)
        #expect(turns.order == [Self.bob, Self.alice])
        turns.endTurn(of: Self.bob)
        #expect(turns.order == [Self.alice, Self.bob])
        // Marking again changes nothing: the session already waits.
        turns.markWaiting(10, owner: Self.bob)
        #expect(turns.order == [Self.alice, Self.bob])
    }

    @Test func anOwnersSessionsTakeOneRequestEachInTurn() {
        var turns = ControlTurns(budget: Self.budget)
        for session: UInt64 in [10, 11, 12] { turns.markWaiting(session, owner: Self.bob) }
        let served = (0..<6).compactMap { _ in turns.nextSession(of: Self.bob) }
        #expect(served == [10, 11, 12, 10, 11, 12])
        turns.markDone(11, now: 0)
        #expect((0..<4).compactMap { _ in turns.nextSession(of: Self.bob) } == [10, 12, 10, 12])
    }

    @Test func anOwnerWithNothingWaitingLeavesTheOrder() {
        var turns = ControlTurns(budget: Self.budget)
        turns.markWaiting(10, owner: Self.bob)
        turns.markWaiting(20, owner: Self.alice)
        turns.markDone(10, now: 0)
        #expect(turns.order == [Self.alice])
        #expect(turns.nextSession(of: Self.bob) == nil)
        turns.markDone(20, now: 0)
        #expect(turns.isEmpty)
        #expect(turns.nextServiceTime(now: 0) == nil)
    }

    @Test func aSessionAttachingMovesToItsTenant() {
        var turns = ControlTurns(budget: Self.budget)
        turns.markWaiting(10, owner: .peer(uid: 60102))
        turns.markWaiting(10, owner: Self.bob)
        #expect(turns.order == [Self.bob])
        #expect(turns.nextSession(of: .peer(uid: 60102)) == nil)
        #expect(turns.nextSession(of: Self.bob) == 10)
    }

    @Test func anOwnerThatSpentItsBurstWaitsForItsShareOfTheClock() {
        var turns = ControlTurns(budget: Self.budget)
        let start: UInt64 = 1_000_000_000
        turns.markWaiting(10, owner: Self.bob)
        #expect(Self.serves(&turns, Self.bob, now: start) == true)
        // A 12 ms request: 2 ms over the 10 ms burst.
        turns.charge(Self.bob, nanoseconds: 12_000_000)
        #expect(Self.serves(&turns, Self.bob, now: start) == false)
        // At an eighth of the clock, 2 ms of debt take 16 ms to repay.
        #expect(turns.nextServiceTime(now: start) == start + 16_000_008)
        #expect(Self.serves(&turns, Self.bob, now: start + 16_000_000) == false)
        #expect(Self.serves(&turns, Self.bob, now: start + 16_000_008) == true)
        // Alice's bucket is her own: Bob's debt does not touch it.
        turns.markWaiting(20, owner: Self.alice)
        #expect(Self.serves(&turns, Self.alice, now: start) == true)
    }

    @Test func aBucketRefillsOnlyUpToTheBurst() {
        var turns = ControlTurns(budget: Self.budget)
        turns.markWaiting(10, owner: Self.bob)
        #expect(Self.serves(&turns, Self.bob, now: 0) == true)
        // Idle for a minute, yet only 10 ms of credit: 11 ms of requests put it in debt.
        #expect(Self.serves(&turns, Self.bob, now: 60_000_000_000) == true)
        turns.charge(Self.bob, nanoseconds: 11_000_000)
        #expect(Self.serves(&turns, Self.bob, now: 60_000_000_000) == false)
    }

    @Test func idleOwnersWithFullBucketsAreForgottenButDebtIsKept() {
        var turns = ControlTurns(budget: Self.budget)
        turns.markWaiting(10, owner: Self.bob)
        _ = turns.mayServe(Self.bob, now: 0)
        turns.charge(Self.bob, nanoseconds: 20_000_000)
        // Its socket ran dry while in debt (a flooder that waits for each reply): kept.
        turns.markDone(10, now: 0)
        #expect(turns.bucketCount == 1)
        turns.markWaiting(10, owner: Self.bob)
        #expect(Self.serves(&turns, Self.bob, now: 1_000_000) == false)
        // Long enough idle to be full again: forgotten.
        turns.markDone(10, now: 1_000_000_000)
        #expect(turns.bucketCount == 0)
    }
}
