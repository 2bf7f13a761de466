// Specification of unref, authorizeMap and in-flight references: only the caller's holding
// ends, a frame is free when nothing holds or pins it, and a pinned frame cannot go away.
import ExoCore
import ExoWire
import Testing

@Suite struct UnrefTests {
    @Test func unrefFreesAFrameWithNoOtherHolder() throws {
        let arbiter = Fixture.arbiter()
        let a = arbiter.openSession(tenant: Fixture.alice)
        _ = try arbiter.allocate(session: a, frames: [5, 6])
        let released = try arbiter.unref(session: a, frames: [6, 5])
        #expect(released == Released(freedFrames: [5, 6], revokedTokens: []))
        #expect(arbiter.freeFrameCount == 16)
        #expect(arbiter.usage(of: Fixture.alice).framesHeld == 0)
        #expect(refusal { try arbiter.unref(session: a, frames: [5]) } == .notHolder)
    }

    @Test func aSecondCopyOfAFrameInOneUnrefBatchIsNotHeldAndNothingEnds() throws {
        let arbiter = Fixture.arbiter()
        let a = arbiter.openSession(tenant: Fixture.alice)
        _ = try arbiter.allocate(session: a, frames: [1, 2])
        #expect(refusal { try arbiter.unref(session: a, frames: [1, 2, 1]) } == .notHolder)
        #expect(arbiter.holdings(of: a).map(\.frame) == [1, 2])
        #expect(arbiter.freeFrameCount == 14)
    }

    @Test func unrefChecksRangeFirstAndIsAllOrNothing() throws {
        let arbiter = Fixture.arbiter()
        let a = arbiter.openSession(tenant: Fixture.alice)
        _ = try arbiter.allocate(session: a, frames: [1])
        #expect(refusal { try arbiter.unref(session: a, frames: [1, 3, 99]) } == .outOfRange)
        #expect(refusal { try arbiter.unref(session: a, frames: [1, 3]) } == .notHolder)
        #expect(arbiter.holdings(of: a).map(\.frame) == [1])
    }

    @Test func unrefEndsOnlyTheCallersHoldingOfASharedFrame() throws {
        let arbiter = Fixture.arbiter()
        let a = arbiter.openSession(tenant: Fixture.alice)
        let b = arbiter.openSession(tenant: Fixture.bob)
        _ = try arbiter.allocate(session: a, frames: [3])
        let token = try arbiter.grant(session: a, frame: 3, rights: .read, audience: Fixture.bob)
        let bobs = try arbiter.redeem(session: b, token: token.bytes)

        #expect(try arbiter.unref(session: a, frames: [3]).isEmpty)
        #expect(arbiter.freeFrameCount == 15)
        #expect(try arbiter.authorizeMap(session: b, frames: [3]) == [bobs])
        #expect(try arbiter.unref(session: b, frames: [3]).freedFrames == [3])
        #expect(arbiter.freeFrameCount == 16)
    }

    @Test func authorizeMapReturnsTheCallersHoldingsInBatchOrder() throws {
        let arbiter = Fixture.arbiter()
        let a = arbiter.openSession(tenant: Fixture.alice)
        let held = try arbiter.allocate(session: a, frames: [2, 8])
        #expect(try arbiter.authorizeMap(session: a, frames: [8, 2]) == [held[1], held[0]])
        #expect(refusal { try arbiter.authorizeMap(session: a, frames: [2, 16]) } == .outOfRange)
        #expect(refusal { try arbiter.authorizeMap(session: a, frames: [2, 3]) } == .notHolder)
    }

    @Test func aFrameInFlightCannotBeUnrefdByThatSession() throws {
        let arbiter = Fixture.arbiter()
        let a = arbiter.openSession(tenant: Fixture.alice)
        _ = try arbiter.allocate(session: a, frames: [4, 5])
        try arbiter.inFlight.add(session: a, frame: 4)
        try arbiter.inFlight.add(session: a, frame: 4)
        #expect(refusal { try arbiter.unref(session: a, frames: [5, 4]) } == .frameInFlight)
        #expect(arbiter.holdings(of: a).map(\.frame) == [4, 5])
        #expect(arbiter.frameStates(tenant: nil, from: 4, limit: 1).entries.first?.inFlight == 2)

        #expect(arbiter.inFlight.remove(session: a, frame: 4).isEmpty)
        #expect(refusal { try arbiter.unref(session: a, frames: [4]) } == .frameInFlight)
        #expect(arbiter.inFlight.remove(session: a, frame: 4).isEmpty)
        #expect(try arbiter.unref(session: a, frames: [4, 5]).freedFrames == [4, 5])
    }

    @Test func inFlightByOneSessionDoesNotBlockAnotherSessionsUnref() throws {
        let arbiter = Fixture.arbiter()
        let a = arbiter.openSession(tenant: Fixture.alice)
        let b = arbiter.openSession(tenant: Fixture.bob)
        _ = try arbiter.allocate(session: a, frames: [6])
        _ = try arbiter.redeem(session: b, token: arbiter.grant(session: a, frame: 6, rights: .read, audience: Fixture.bob).bytes)
        try arbiter.inFlight.add(session: b, frame: 6)
        #expect(try arbiter.unref(session: a, frames: [6]).isEmpty)
        #expect(arbiter.freeFrameCount == 15)
    }

    @Test func addInFlightNeedsAHoldingAndAnInRangeFrame() {
        let arbiter = Fixture.arbiter()
        let a = arbiter.openSession(tenant: Fixture.alice)
        #expect(refusal { try arbiter.inFlight.add(session: a, frame: 16) } == .outOfRange)
        #expect(refusal { try arbiter.inFlight.add(session: a, frame: 0) } == .notHolder)
        #expect(refusal { try arbiter.inFlight.add(session: 77, frame: 0) } == .notAttached)
    }

    @Test func closingASessionDropsItsInFlightReferencesAndFreesItsFrames() throws {
        let arbiter = Fixture.arbiter()
        let a = arbiter.openSession(tenant: Fixture.alice)
        _ = try arbiter.allocate(session: a, frames: [2, 3])
        try arbiter.inFlight.add(session: a, frame: 3)
        #expect(arbiter.closeSession(a).freedFrames == [2, 3])
        #expect(arbiter.freeFrameCount == 16)
        #expect(arbiter.inFlight.remove(session: a, frame: 3).isEmpty)
        #expect(arbiter.freeFrameCount == 16)
    }
}
