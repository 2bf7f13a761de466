// Visible revocation and the abort protocol, end to end through the real control socket and
// real memfds (issue 13's Done-when): the pool is full, an operator revokes; a cooperating
// tenant gives back frames of its choice; one that ignores the request loses frames at the
// deadline, is told which, and what it writes to them afterwards reaches nobody.

import ExoCore
import ExoPlatform
import ExoWire
import Testing

@testable import ExoDaemon

@Suite struct InProcessRevocationTests {
    static let millisecond: UInt64 = 1_000_000

    /// The tenant's own writable mappings of `frames`, in order.
    private func mapFrames(_ frames: [FrameNumber], by peer: ControlPeer) throws -> [MappedMemory] {
        let (reply, files) = try peer.exchange(.map(frames: frames))
        guard case .mapped = reply, files.count == frames.count else { throw PeerFailure("map answered \(reply)") }
        defer { for file in files { file.close() } }
        return try files.map { try MappedMemory.map($0.raw, length: Int(InProcessDaemon.frameSize), writable: true) }
    }

    private func fill(_ mapping: MappedMemory, with byte: UInt8) {
        mapping.withUnsafeMutableBytes { _ = $0.initializeMemory(as: UInt8.self, repeating: byte) }
    }

    private func bytes(of mapping: MappedMemory) -> Set<UInt8> {
        mapping.withUnsafeBytes { Set($0) }
    }

    @Test("a cooperating tenant gives back the frames it chooses: the revocation is met and nothing is taken")
    func cooperatingTenantChooses() throws {
        let daemon = try InProcessDaemon(frameCount: 64)
        let alice = try daemon.attachTenant("alice")
        let bob = try daemon.attachTenant("bob")
        let aliceFrames = try alice.call(ControlCalls.allocateAny(count: 32)).map(\.frame)
        _ = try bob.call(ControlCalls.allocateAny(count: 32))
        #expect(daemon.daemon.plane.arbiter.freeFrameCount == 0)
        let op = try daemon.attachOperator()

        let started = try op.call(ControlCalls.revoke(tenant: "alice", frames: 8, deadlineMillis: 500))
        #expect(started.held == 32 && started.target == 24 && started.id != 0)
        let events = try alice.takeEvents()
        #expect(events == [
            .revocationRequested(RevocationNotice(id: started.id, reason: 2, target: 24, held: 32, deadlineMillis: 500))
        ])
        #expect(try bob.takeEvents().isEmpty)

        // Her choice: frames from the middle, not the ones the daemon would have taken.
        let given = Array(aliceFrames[4..<12])
        _ = try alice.call(ControlCalls.unref(given))
        #expect(try alice.call(ControlCalls.revocationDone(id: started.id)) == RevocationSettlement(held: 24, met: true))

        daemon.advanceTime(by: 1_000 * Self.millisecond)
        #expect(try alice.takeEvents().isEmpty)
        let kept = aliceFrames.filter { !given.contains($0) }
        #expect(throws: Refused(error: .notHolder, detail: ExoError.notHolder.description)) {
            try alice.call(ControlCalls.unref([given[0]]))
        }
        #expect(try mapFrames(kept, by: alice).count == 24)
        #expect(daemon.daemon.plane.arbiter.freeFrameCount == 8)
    }

    @Test("until a revocation is met the tenant allocates nothing; done early answers met false")
    func revocationCapsAllocation() throws {
        let daemon = try InProcessDaemon(frameCount: 64)
        let alice = try daemon.attachTenant("alice")
        let frames = try alice.call(ControlCalls.allocateAny(count: 10)).map(\.frame)
        let op = try daemon.attachOperator()
        let started = try op.call(ControlCalls.revoke(tenant: "alice", frames: 4, deadlineMillis: 500))
        #expect(started.target == 6)
        #expect(throws: Refused.self) { try alice.call(ControlCalls.allocateAny(count: 1)) }
        #expect(try alice.call(ControlCalls.revocationDone(id: started.id)) == RevocationSettlement(held: 10, met: false))
        _ = try alice.call(ControlCalls.unref(Array(frames.prefix(4))))
        _ = try alice.call(ControlCalls.allocateAny(count: 1))
    }

    @Test("revoke refuses an unknown tenant, no frames and a deadline out of range; nothing to ask is id 0")
    func revokeRefusals() throws {
        let daemon = try InProcessDaemon()
        let op = try daemon.attachOperator()
        #expect(throws: Refused(error: .unknownTenant, detail: ExoError.unknownTenant.description)) {
            try op.call(ControlCalls.revoke(tenant: "mallory", frames: 1, deadlineMillis: 10))
        }
        #expect(throws: Refused(error: .badRevocation, detail: ExoError.badRevocation.description)) {
            try op.call(ControlCalls.revoke(tenant: "alice", frames: 0, deadlineMillis: 10))
        }
        #expect(throws: Refused(error: .badRevocation, detail: ExoError.badRevocation.description)) {
            try op.call(ControlCalls.revoke(tenant: "alice", frames: 1, deadlineMillis: 3_600_001))
        }
        #expect(try op.call(ControlCalls.revoke(tenant: "alice", frames: 1, deadlineMillis: 10)) == RevocationStarted(id: 0, target: 0, held: 0))
        let alice = try daemon.attachTenant("alice")
        #expect(throws: Refused(error: .notOperator, detail: ExoError.notOperator.description)) {
            try alice.call(ControlCalls.revoke(tenant: "alice", frames: 1, deadlineMillis: 10))
        }
    }

    @Test("a tenant that ignores a revocation loses frames at the deadline: named, wiped, unreachable; its data path still works")
    func nonCooperatingTenantLosesFrames() throws {
        let daemon = try InProcessDaemon(frameCount: 56)
        let bobPeer = try daemon.attachTenant("bob")
        let bob = try TenantDataPath(peer: bobPeer, frameCount: 16, fillFrames: 8)
        try bob.bindUDP(port: 9000)
        let extra = try bobPeer.call(ControlCalls.allocateAny(count: 16)).map(\.frame)
        let bobViews = try mapFrames(extra, by: bobPeer)
        for view in bobViews { fill(view, with: 0xB0) }
        let alice = try daemon.attachTenant("alice")
        _ = try alice.call(ControlCalls.allocateAny(count: 24))
        #expect(daemon.daemon.plane.arbiter.freeFrameCount == 0)
        let op = try daemon.attachOperator()

        let started = try op.call(ControlCalls.revoke(tenant: "bob", frames: 8, deadlineMillis: 200))
        daemon.advanceTime(by: 150 * Self.millisecond)
        for view in bobViews { fill(view, with: 0xB1) }  // it keeps writing, and gives nothing
        #expect(daemon.daemon.plane.arbiter.usage(of: 1).framesHeld == 32)
        daemon.advanceTime(by: 50 * Self.millisecond)

        let events = try bobPeer.takeEvents()
        let repossessed = events.compactMap { if case .repossessed(let n) = $0 { n } else { nil } }
        #expect(repossessed.count == 1)
        let notice = try #require(repossessed.first)
        #expect(notice.id == started.id && notice.condemned == 0)
        // Idle frames, newest holdings first: the last eight it allocated.
        #expect(Set(notice.frames) == Set(extra[8..<16]))
        #expect(daemon.daemon.plane.arbiter.usage(of: 1).framesHeld == 24)

        let takenViews = extra.indices.filter { notice.frames.contains(extra[$0]) }.map { bobViews[$0] }
        let keptViews = extra.indices.filter { !notice.frames.contains(extra[$0]) }.map { bobViews[$0] }
        for view in takenViews { #expect(bytes(of: view) == [0]) }  // punched: reads zeros at once
        for view in takenViews { fill(view, with: 0xEE) }  // and it keeps writing

        // The next holder gets the frames clean and never sees the old holder's writes.
        let reused = try mapFrames(try alice.call(ControlCalls.allocate(notice.frames)).map(\.frame), by: alice)
        for view in reused { #expect(bytes(of: view) == [0]) }
        for view in takenViews { fill(view, with: 0x77) }
        for view in reused { #expect(bytes(of: view) == [0]) }
        for view in reused { fill(view, with: 0xA1) }
        for view in takenViews { #expect(bytes(of: view) == [0x77]) }

        // What it kept is untouched, and its data path still works.
        for view in keptViews { #expect(bytes(of: view) == [0xB1]) }
        let packet = InProcessDaemon.packetFromWire(to: bob.address, port: 9000, payload: Array("still here".utf8))
        daemon.receiveFromWire([packet])
        #expect(try bob.received() == [packet])
        #expect(throws: Refused.self) { try bobPeer.call(ControlCalls.unref([notice.frames[0]])) }
    }

    @Test("fill frames waiting in the daemon's stash are taken at the deadline too, and named")
    func stashedFillFramesAreTaken() throws {
        let daemon = try InProcessDaemon(frameCount: 64)
        let bobPeer = try daemon.attachTenant("bob")
        let bob = try TenantDataPath(peer: bobPeer, frameCount: 16, fillFrames: 8)
        try bob.bindUDP(port: 9000)
        // One packet makes the daemon take the fill ring into its stash: 7 frames wait there.
        daemon.receiveFromWire([InProcessDaemon.packetFromWire(to: bob.address, port: 9000, payload: [1])])
        #expect(try bob.received().count == 1)
        let op = try daemon.attachOperator()
        let started = try op.call(ControlCalls.revoke(tenant: "bob", frames: 16, deadlineMillis: 10))
        daemon.advanceTime(by: 10 * Self.millisecond)

        let events = try bobPeer.takeEvents()
        let frames = events.flatMap { event -> [FrameNumber] in
            if case .repossessed(let n) = event, n.id == started.id { n.frames } else { [] }
        }
        #expect(frames.count == 16)
        #expect(Set(frames).count == 16)
        #expect(daemon.daemon.plane.arbiter.usage(of: 1).framesHeld == 0)
        #expect(daemon.daemon.plane.arbiter.freeFrameCount == 64)
        // Nothing is left to receive into: the next packet is dropped, not written anywhere.
        daemon.receiveFromWire([InProcessDaemon.packetFromWire(to: bob.address, port: 9000, payload: [2])])
        #expect(try bob.received().isEmpty)
    }

    @Test("a reload that lowers a quota below what the tenant holds revokes the difference",
        .enabled(if: ProcessIdentity.uid == 0))
    func reloadShrinksQuota() throws {
        let daemon = try InProcessReloadTests.daemon()
        let alice = try daemon.attachTenant("alice")
        _ = try alice.call(ControlCalls.allocateAny(count: 20))
        let file = InProcessReloadTests.file(for: daemon, tenants: [
            InProcessReloadTests.tenantBlock("alice", uid: 60001, quota: 12, addresses: ["10.9.0.2"]),
            InProcessReloadTests.tenantBlock("bob", uid: 60002, quota: 32, addresses: ["10.9.0.3"]),
        ])
        #expect(try InProcessReloadTests.reload(daemon, with: file).applied)
        let notices = try alice.takeEvents().compactMap { if case .revocationRequested(let n) = $0 { n } else { nil } }
        #expect(notices.map(\.target) == [12])
        #expect(notices.map(\.reason) == [RevocationReason.quotaReduced.rawValue])
        daemon.advanceTime(by: UInt64(RevocationLimits.defaultDeadlineMillis) * Self.millisecond)
        #expect(daemon.daemon.plane.arbiter.usage(of: 0).framesHeld == 12)
    }

    /// Alice's frame, written 0xA0, granted read-write to bob, redeemed, mapped by both.
    private struct SharedFrame {
        let alice: ControlPeer
        let bob: ControlPeer
        let frame: FrameNumber
        let tokenID: UInt64
        let bobView: MappedMemory
    }

    private func shareFrame(in daemon: InProcessDaemon) throws -> SharedFrame {
        let alice = try daemon.attachTenant("alice")
        let bob = try daemon.attachTenant("bob")
        let frame = try alice.call(ControlCalls.allocateAny(count: 1))[0].frame
        fill(try mapFrames([frame], by: alice)[0], with: 0xA0)
        let granted = try alice.call(ControlCalls.grant(frame: frame, rights: [.read, .write], audience: "bob"))
        _ = try bob.call(ControlCalls.redeem(granted.token))
        let bobView = try mapFrames([frame], by: bob)[0]
        #expect(bytes(of: bobView) == [0xA0])
        _ = try alice.takeEvents()
        _ = try bob.takeEvents()
        return SharedFrame(alice: alice, bob: bob, frame: frame, tokenID: granted.tokenID, bobView: bobView)
    }

    /// After the grant's holding ended: the issuer is told to map again, its new mapping has
    /// its content, and the old holder's mapping reaches none of it, either way.
    private func expectMovedAway(_ shared: SharedFrame) throws {
        let moved = try shared.alice.takeEvents().compactMap { if case .framesMoved(let m) = $0 { m.frames } else { nil } }
        #expect(moved == [[shared.frame]])
        let aliceNew = try mapFrames([shared.frame], by: shared.alice)[0]
        #expect(bytes(of: aliceNew) == [0xA0])
        #expect(bytes(of: shared.bobView) == [0])
        fill(shared.bobView, with: 0xBB)
        #expect(bytes(of: aliceNew) == [0xA0])
        fill(aliceNew, with: 0xA2)
        #expect(bytes(of: shared.bobView) == [0xBB])
        #expect(throws: Refused.self) { try shared.bob.call(ControlCalls.map([shared.frame])) }
    }

    @Test("a revoked grant its redeemer gives up: the frame's memory moves and the old mapping reaches nothing of the issuer's")
    func revokedGrantGivenUp() throws {
        let daemon = try InProcessDaemon()
        let shared = try shareFrame(in: daemon)
        let id = try shared.alice.call(ControlCalls.revokeGrant(tokenID: shared.tokenID, deadlineMillis: 300))
        let notices = try shared.bob.takeEvents().compactMap { if case .revocationRequested(let n) = $0 { n } else { nil } }
        #expect(notices == [RevocationNotice(id: id, reason: 4, target: 0, held: 1, deadlineMillis: 300, frames: [shared.frame])])

        _ = try shared.bob.call(ControlCalls.unref([shared.frame]))
        #expect(try shared.bob.call(ControlCalls.revocationDone(id: id)) == RevocationSettlement(held: 0, met: true))
        try expectMovedAway(shared)
        daemon.advanceTime(by: 400 * Self.millisecond)
        #expect(try shared.bob.takeEvents().isEmpty)
    }

    @Test("a revoked grant its redeemer ignores is taken at the deadline, named, and the memory moves")
    func revokedGrantTaken() throws {
        let daemon = try InProcessDaemon()
        let shared = try shareFrame(in: daemon)
        let own = try shared.bob.call(ControlCalls.allocateAny(count: 2)).map(\.frame)
        let id = try shared.alice.call(ControlCalls.revokeGrant(tokenID: shared.tokenID, deadlineMillis: 100))
        daemon.advanceTime(by: 100 * Self.millisecond)

        let taken = try shared.bob.takeEvents().compactMap { if case .repossessed(let n) = $0 { n } else { nil } }
        #expect(taken == [RepossessionNotice(id: id, frames: [shared.frame], condemned: 0)])
        try expectMovedAway(shared)
        #expect(try mapFrames(own, by: shared.bob).count == 2)  // its own frames stay its own
    }

    @Test("only the issuing tenant (or an operator) revokes a grant, and only a live redeemed one")
    func revokeGrantRefusals() throws {
        let daemon = try InProcessDaemon()
        let shared = try shareFrame(in: daemon)
        let noSuchGrant = Refused(error: .noSuchGrant, detail: ExoError.noSuchGrant.description)
        #expect(throws: noSuchGrant) { try shared.bob.call(ControlCalls.revokeGrant(tokenID: shared.tokenID, deadlineMillis: 10)) }
        #expect(throws: noSuchGrant) { try shared.alice.call(ControlCalls.revokeGrant(tokenID: 999, deadlineMillis: 10)) }
        #expect(throws: Refused(error: .badRevocation, detail: ExoError.badRevocation.description)) {
            try shared.alice.call(ControlCalls.revokeGrant(tokenID: shared.tokenID, deadlineMillis: 0))
        }
        let op = try daemon.attachOperator()
        let id = try op.call(ControlCalls.revokeGrant(tokenID: shared.tokenID, deadlineMillis: 10))
        // Asking again while pending names the same revocation.
        #expect(try shared.alice.call(ControlCalls.revokeGrant(tokenID: shared.tokenID, deadlineMillis: 10)) == id)
        _ = try shared.bob.call(ControlCalls.unref([shared.frame]))
        #expect(throws: noSuchGrant) { try shared.alice.call(ControlCalls.revokeGrant(tokenID: shared.tokenID, deadlineMillis: 10)) }
    }
}
