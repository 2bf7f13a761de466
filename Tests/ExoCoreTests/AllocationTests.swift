// Specification of allocate and allocateAny: range, duplicates, already-allocated frames,
// quotas, pool exhaustion, generations, and that a refused batch changes nothing.
import ExoCore
import ExoWire
import Testing

@Suite struct AllocationTests {
    @Test func allocatingAFreeFrameGivesOwnerRightsAndTheNewGeneration() throws {
        let arbiter = Fixture.arbiter()
        let session = arbiter.openSession(tenant: Fixture.alice)
        let holdings = try arbiter.allocate(session: session, frames: [3, 5])
        #expect(holdings.map(\.frame) == [3, 5])
        #expect(holdings.allSatisfy { $0.rights == .owner && $0.session == session && $0.tenant == Fixture.alice })
        #expect(holdings.map(\.epoch) == [1, 1])
        #expect(Set(holdings.map(\.id)).count == 2)
        #expect(arbiter.freeFrameCount == 14)
        #expect(arbiter.usage(of: Fixture.alice) == TenantUsage(framesHeld: 2, sessions: 1))
    }

    @Test func generationIsBumpedEachTimeAFrameIsAllocatedAgain() throws {
        let arbiter = Fixture.arbiter()
        let session = arbiter.openSession(tenant: Fixture.alice)
        for generation in 1...3 as ClosedRange<UInt64> {
            let holding = try arbiter.allocate(session: session, frames: [7])[0]
            #expect(holding.epoch == generation)
            #expect(try arbiter.unref(session: session, frames: [7]).freedFrames == [7])
        }
    }

    @Test func outOfRangeIsCheckedBeforeAnythingElseAndChangesNothing() {
        let arbiter = Fixture.arbiter()
        let session = arbiter.openSession(tenant: Fixture.carol)
        // Also over quota (carol may hold 2) and a duplicate: range wins.
        #expect(refusal { try arbiter.allocate(session: session, frames: [0, 0, 1, 16]) } == .outOfRange)
        #expect(refusal { try arbiter.allocate(session: session, frames: [UInt32.max]) } == .outOfRange)
        #expect(arbiter.freeFrameCount == 16)
        #expect(arbiter.holdingCount == 0)
    }

    @Test func aDuplicateInsideOneBatchIsAlreadyAllocatedAndNotDoubleCounted() {
        let arbiter = Fixture.arbiter()
        let session = arbiter.openSession(tenant: Fixture.alice)
        #expect(refusal { try arbiter.allocate(session: session, frames: [2, 4, 2]) } == .alreadyAllocated)
        #expect(arbiter.freeFrameCount == 16)
        #expect(arbiter.usage(of: Fixture.alice).framesHeld == 0)
    }

    @Test func allocatingAnAllocatedFrameFailsEvenForItsHolder() throws {
        let arbiter = Fixture.arbiter()
        let session = arbiter.openSession(tenant: Fixture.alice)
        _ = try arbiter.allocate(session: session, frames: [1])
        #expect(refusal { try arbiter.allocate(session: session, frames: [1]) } == .alreadyAllocated)
        let sibling = arbiter.openSession(tenant: Fixture.alice)
        #expect(refusal { try arbiter.allocate(session: sibling, frames: [1]) } == .alreadyAllocated)
    }

    @Test func aBatchWithOneAllocatedFrameAllocatesNoneOfIt() throws {
        let arbiter = Fixture.arbiter()
        let a = arbiter.openSession(tenant: Fixture.alice)
        let b = arbiter.openSession(tenant: Fixture.bob)
        _ = try arbiter.allocate(session: a, frames: [9])
        #expect(refusal { try arbiter.allocate(session: b, frames: [8, 9, 10]) } == .alreadyAllocated)
        #expect(arbiter.holdings(of: b).isEmpty)
        #expect(arbiter.freeFrameCount == 15)
        #expect(try arbiter.allocate(session: b, frames: [8, 10]).count == 2)
    }

    @Test func quotaCountsHoldingsAcrossAllSessionsOfATenant() throws {
        let arbiter = Fixture.arbiter()
        let first = arbiter.openSession(tenant: Fixture.carol)
        let second = arbiter.openSession(tenant: Fixture.carol)
        _ = try arbiter.allocate(session: first, frames: [0])
        #expect(refusal { try arbiter.allocate(session: second, frames: [1, 2]) } == .overQuota)
        _ = try arbiter.allocate(session: second, frames: [1])
        #expect(refusal { try arbiter.allocateAny(session: first, count: 1) } == .overQuota)
        #expect(arbiter.usage(of: Fixture.carol) == TenantUsage(framesHeld: 2, sessions: 2))
        // Quotas are per tenant: bob is unaffected.
        let bob = arbiter.openSession(tenant: Fixture.bob)
        #expect(try arbiter.allocateAny(session: bob, count: 8).count == 8)
    }

    @Test func allocateAnyTakesTheLowestFreeFrames() throws {
        let arbiter = Fixture.arbiter()
        let a = arbiter.openSession(tenant: Fixture.alice)
        let b = arbiter.openSession(tenant: Fixture.bob)
        _ = try arbiter.allocate(session: a, frames: [0, 2, 3])
        #expect(try arbiter.allocateAny(session: b, count: 3).map(\.frame) == [1, 4, 5])
        _ = try arbiter.unref(session: a, frames: [2])
        #expect(try arbiter.allocateAny(session: b, count: 2).map(\.frame) == [2, 6])
        #expect(try arbiter.allocateAny(session: b, count: 0).isEmpty)
    }

    @Test func allocateAnyRefusesWhenThePoolIsShortAndTakesNothing() throws {
        let arbiter = Fixture.arbiter(frames: 10)
        let a = arbiter.openSession(tenant: Fixture.alice)
        let b = arbiter.openSession(tenant: Fixture.bob)
        _ = try arbiter.allocateAny(session: a, count: 7)
        #expect(refusal { try arbiter.allocateAny(session: b, count: 4) } == .poolExhausted)
        #expect(arbiter.freeFrameCount == 3)
        #expect(arbiter.holdings(of: b).isEmpty)
        #expect(try arbiter.allocateAny(session: b, count: 3).map(\.frame) == [7, 8, 9])
        #expect(arbiter.freeFrameCount == 0)
    }

    @Test func quotaIsCheckedBeforeThePoolForAllocateAny() {
        let arbiter = Fixture.arbiter(frames: 1)
        let carol = arbiter.openSession(tenant: Fixture.carol)
        #expect(refusal { try arbiter.allocateAny(session: carol, count: 3) } == .overQuota)
        #expect(refusal { try arbiter.allocateAny(session: carol, count: 2) } == .poolExhausted)
    }

    @Test func requestsFromASessionThatIsNotOpenAreRefused() throws {
        let arbiter = Fixture.arbiter()
        let session = arbiter.openSession(tenant: Fixture.alice)
        _ = arbiter.closeSession(session)
        #expect(refusal { try arbiter.allocate(session: session, frames: [0]) } == .notAttached)
        #expect(refusal { try arbiter.allocateAny(session: 999, count: 1) } == .notAttached)
        #expect(refusal { try arbiter.unref(session: session, frames: [0]) } == .notAttached)
        #expect(arbiter.freeFrameCount == 16)
    }

    @Test func sessionIDsAreNeverReused() {
        let arbiter = Fixture.arbiter()
        var seen = Set<SessionID>()
        for _ in 0..<50 {
            let session = arbiter.openSession(tenant: Fixture.bob)
            #expect(seen.insert(session).inserted)
            _ = arbiter.closeSession(session)
        }
        #expect(arbiter.sessionCount == 0)
    }

    @Test func tenantsAreFoundByNameAndID() {
        let arbiter = Fixture.arbiter()
        #expect(arbiter.tenant(named: "bob") == Fixture.tenants[1])
        #expect(arbiter.tenant(Fixture.carol)?.name == "carol")
        #expect(arbiter.tenant(named: "mallory") == nil)
        #expect(arbiter.tenant(42) == nil)
        #expect(arbiter.frameCount == 16)
    }
}
