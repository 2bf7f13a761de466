// The seed's first question as a specification: once A allocates frame n, B can neither
// allocate, unref, map, grant nor pin n, and none of B's attempts changes A's holding.
import ExoCore
import ExoWire
import Testing

@Suite struct IsolationTests {
    @Test(arguments: [0, 7, 15] as [FrameNumber])
    func anotherTenantCannotTouchAFrameAllocatedByA(frame: FrameNumber) throws {
        let arbiter = Fixture.arbiter()
        let a = arbiter.openSession(tenant: Fixture.alice)
        let b = arbiter.openSession(tenant: Fixture.bob)
        let held = try arbiter.allocate(session: a, frames: [frame])

        #expect(refusal { try arbiter.allocate(session: b, frames: [frame]) } == .alreadyAllocated)
        #expect(refusal { try arbiter.unref(session: b, frames: [frame]) } == .notHolder)
        #expect(refusal { try arbiter.authorizeMap(session: b, frames: [frame]) } == .notHolder)
        #expect(refusal { try arbiter.grant(session: b, frame: frame, rights: .read, audience: Fixture.bob) } == .notHolder)
        #expect(refusal { try arbiter.inFlight.add(session: b, frame: frame) } == .notHolder)
        #expect(arbiter.inFlight.remove(session: b, frame: frame).isEmpty)
        #expect(!(try arbiter.allocateAny(session: b, count: 8)).contains { $0.frame == frame })

        #expect(arbiter.rights(session: b, frame: frame) == nil)
        #expect(arbiter.holdings(of: a) == held)
        #expect(try arbiter.authorizeMap(session: a, frames: [frame]) == held)
        #expect(arbiter.rights(session: a, frame: frame) == Rights.owner)
        #expect(arbiter.frameStates(tenant: Fixture.bob, from: 0, limit: 100).entries.allSatisfy { $0.frame != frame })
    }

    @Test func anotherSessionOfTheSameTenantIsNotAHolderEither() throws {
        let arbiter = Fixture.arbiter()
        let a1 = arbiter.openSession(tenant: Fixture.alice)
        let a2 = arbiter.openSession(tenant: Fixture.alice)
        _ = try arbiter.allocate(session: a1, frames: [4])
        #expect(refusal { try arbiter.unref(session: a2, frames: [4]) } == .notHolder)
        #expect(refusal { try arbiter.authorizeMap(session: a2, frames: [4]) } == .notHolder)
        #expect(arbiter.rights(session: a2, frame: 4) == nil)
        #expect(arbiter.holdings(of: a1).map(\.frame) == [4])
    }

    @Test func closingAnotherTenantsSessionLeavesAsFramesAlone() throws {
        let arbiter = Fixture.arbiter()
        let a = arbiter.openSession(tenant: Fixture.alice)
        let b = arbiter.openSession(tenant: Fixture.bob)
        _ = try arbiter.allocate(session: a, frames: [1, 2])
        _ = try arbiter.allocate(session: b, frames: [3])
        #expect(arbiter.closeSession(b).freedFrames == [3])
        #expect(arbiter.holdings(of: a).map(\.frame) == [1, 2])
    }
}
