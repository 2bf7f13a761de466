// Specification of the listings `exoctl` pages through: deterministic order, tenant filters,
// and cursors that visit every entry exactly once.
import ExoCore
import ExoWire
import Testing

@Suite struct QueryTests {
    @Test func frameStatesListAllocatedFramesInOrderAndPageByCursor() throws {
        let arbiter = Fixture.arbiter()
        let a = arbiter.openSession(tenant: Fixture.alice)
        let b = arbiter.openSession(tenant: Fixture.bob)
        _ = try arbiter.allocate(session: a, frames: [9, 1, 4])
        _ = try arbiter.allocate(session: b, frames: [6, 12])

        let first = arbiter.frameStates(tenant: nil, from: 0, limit: 2)
        #expect(first.entries.map(\.frame) == [1, 4])
        #expect(first.next == 6)
        let second = arbiter.frameStates(tenant: nil, from: 6, limit: 2)
        #expect(second.entries.map(\.frame) == [6, 9])
        #expect(second.next == 12)
        let last = arbiter.frameStates(tenant: nil, from: 12, limit: 2)
        #expect(last.entries.map(\.frame) == [12])
        #expect(last.next == nil)

        let bobs = arbiter.frameStates(tenant: Fixture.bob, from: 0, limit: 10)
        #expect(bobs.entries.map(\.frame) == [6, 12] && bobs.next == nil)
        #expect(bobs.entries[0] == FrameState(frame: 6, epoch: 1, inFlight: 0, holders: arbiter.holdings(of: b).filter { $0.frame == 6 }))
        #expect(arbiter.frameStates(tenant: Fixture.carol, from: 0, limit: 10).entries.isEmpty)
    }

    @Test func aSharedFrameIsListedForEveryTenantHoldingItWithAllItsHolders() throws {
        let arbiter = Fixture.arbiter()
        let a = arbiter.openSession(tenant: Fixture.alice)
        let b = arbiter.openSession(tenant: Fixture.bob)
        _ = try arbiter.allocate(session: a, frames: [3])
        _ = try arbiter.redeem(session: b, token: arbiter.grant(session: a, frame: 3, rights: .read, audience: Fixture.bob).bytes)
        for tenant in [Fixture.alice, Fixture.bob] {
            let entries = arbiter.frameStates(tenant: tenant, from: 0, limit: 10).entries
            #expect(entries.map(\.frame) == [3])
            #expect(entries.first?.holders.map(\.tenant) == [Fixture.alice, Fixture.bob])
        }
    }

    @Test func outstandingTokensListByIDWithTenantFilterAndCursor() throws {
        let arbiter = Fixture.arbiter()
        let a = arbiter.openSession(tenant: Fixture.alice)
        let b = arbiter.openSession(tenant: Fixture.bob)
        _ = try arbiter.allocate(session: a, frames: [0])
        _ = try arbiter.allocate(session: b, frames: [1])
        let t1 = try arbiter.grant(session: a, frame: 0, rights: .read, audience: Fixture.bob)
        let t2 = try arbiter.grant(session: b, frame: 1, rights: .read, audience: Fixture.carol)
        let t3 = try arbiter.grant(session: a, frame: 0, rights: .read, audience: Fixture.carol)

        let page = arbiter.outstandingTokens(tenant: nil, from: 0, limit: 2)
        #expect(page.entries == [t1.info, t2.info])
        #expect(page.next == t3.info.tokenID)
        #expect(arbiter.outstandingTokens(tenant: nil, from: t3.info.tokenID, limit: 2) == ([t3.info], nil))
        #expect(arbiter.outstandingTokens(tenant: Fixture.bob, from: 0, limit: 10).entries == [t1.info, t2.info])
        #expect(arbiter.outstandingTokens(tenant: Fixture.carol, from: 0, limit: 10).entries == [t2.info, t3.info])
        #expect(arbiter.outstandingTokenCount == 3)
    }

    @Test func holdingsOfASessionAreSortedByFrame() throws {
        let arbiter = Fixture.arbiter()
        let a = arbiter.openSession(tenant: Fixture.alice)
        _ = try arbiter.allocate(session: a, frames: [11, 2, 7])
        #expect(arbiter.holdings(of: a).map(\.frame) == [2, 7, 11])
        #expect(arbiter.holdings(of: 12345).isEmpty)
        #expect(arbiter.holdingCount == 3 && arbiter.sessionCount == 1)
    }
}
