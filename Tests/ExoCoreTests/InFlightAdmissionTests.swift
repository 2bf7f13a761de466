// Specification of the data path's admission of a posted frame: a frame is in flight at most
// once, whichever ring and session; refusals change nothing and tell a session nothing about
// frames it does not hold writable.
import ExoCore
import ExoWire
import Testing

@Suite struct InFlightAdmissionTests {
    @Test func aFrameIsAdmittedOnceUntilItComesBack() throws {
        let arbiter = Fixture.arbiter()
        let a = arbiter.openSession(tenant: Fixture.alice)
        _ = try arbiter.allocate(session: a, frames: [3])
        #expect(arbiter.inFlight.admit(session: a, frame: 3) == .admitted)
        // A second descriptor for it (later in the batch, or on another ring) is refused.
        #expect(arbiter.inFlight.admit(session: a, frame: 3) == .alreadyInFlight)
        #expect(arbiter.frameStates(tenant: nil, from: 3, limit: 1).entries.first?.inFlight == 1)
        // Handed back once, it may be posted again.
        #expect(arbiter.inFlight.remove(session: a, frame: 3).isEmpty)
        #expect(arbiter.inFlight.admit(session: a, frame: 3) == .admitted)
    }

    @Test func aFrameInFlightOnAnotherSessionIsRefusedToAWritableHolder() throws {
        let arbiter = Fixture.arbiter()
        let a = arbiter.openSession(tenant: Fixture.alice)
        let b = arbiter.openSession(tenant: Fixture.bob)
        _ = try arbiter.allocate(session: a, frames: [6])
        let token = try arbiter.grant(session: a, frame: 6, rights: [.read, .write], audience: Fixture.bob)
        _ = try arbiter.redeem(session: b, token: token.bytes)
        #expect(arbiter.inFlight.admit(session: a, frame: 6) == .admitted)
        #expect(arbiter.inFlight.admit(session: b, frame: 6) == .alreadyInFlight)
    }

    @Test func sessionsThatCannotPostAFrameLearnNothingAboutItsFlight() throws {
        let arbiter = Fixture.arbiter()
        let a = arbiter.openSession(tenant: Fixture.alice)
        let b = arbiter.openSession(tenant: Fixture.bob)
        let c = arbiter.openSession(tenant: Fixture.carol)
        _ = try arbiter.allocate(session: a, frames: [7])
        _ = try arbiter.redeem(session: b, token: arbiter.grant(session: a, frame: 7, rights: .read, audience: Fixture.bob).bytes)
        // Before and while frame 7 is in flight: the same answer to a reader and a stranger.
        #expect(arbiter.inFlight.admit(session: b, frame: 7) == .notHeldWritable)
        #expect(arbiter.inFlight.admit(session: c, frame: 7) == .notHeldWritable)
        #expect(arbiter.inFlight.admit(session: a, frame: 7) == .admitted)
        #expect(arbiter.inFlight.admit(session: b, frame: 7) == .notHeldWritable)
        #expect(arbiter.inFlight.admit(session: c, frame: 7) == .notHeldWritable)
        #expect(arbiter.inFlight.admit(session: a, frame: 16) == .notHeldWritable)  // outside the pool
        #expect(arbiter.frameStates(tenant: nil, from: 7, limit: 1).entries.first?.inFlight == 1)
    }
}
