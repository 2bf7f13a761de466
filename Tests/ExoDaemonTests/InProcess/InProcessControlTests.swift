// The whole daemon's control plane, in-process and without root: real clients over the real
// control socket (SO_PEERCRED gives the test's uid), the daemon's own loop answering them.

import ExoCore
import ExoPlatform
import ExoWire
import Glibc
import Testing

@testable import ExoDaemon

@Suite("The whole daemon in-process: control plane")
struct InProcessControlTests {
    @Test("the daemon tells its service manager READY at start and STOPPING at stop, and a stop ends every session and removes the socket")
    func startAndStop() throws {
        let daemon = try InProcessDaemon()
        let alice = try daemon.attachTenant("alice")
        #expect(daemon.service.notifications.count == 1)
        #expect(daemon.service.notifications.first?.hasPrefix("READY=1") == true)
        #expect(SocketFile.existing(at: daemon.socketPath) == .socket)

        daemon.daemon.stop()

        #expect(daemon.service.notifications.last == "STOPPING=1")
        #expect(SocketFile.existing(at: daemon.socketPath) == .nothing)
        #expect(try alice.takeEvents(turn: false).isEmpty)
        #expect(alice.closedByDaemon)
    }

    @Test("a tenant attaches as the test's own uid and an operator's status counts its session")
    func tenantAttaches() throws {
        let daemon = try InProcessDaemon()
        let op = try daemon.attachOperator()
        let before = try op.call(ControlCalls.status)

        let alice = try daemon.attachTenant("alice")
        try alice.call(ControlCalls.ping)

        let after = try op.call(ControlCalls.status)
        #expect(after.sessions == before.sessions + 1)
        #expect(after.poolFrames == 64)
        #expect(after.frameSize == InProcessDaemon.frameSize)
    }

    @Test("a frame one tenant allocates, maps, writes and grants is redeemed by another tenant's session, which reads what was written")
    func grantAndRedeem() throws {
        let daemon = try InProcessDaemon()
        let alice = try daemon.attachTenant("alice")
        let bob = try daemon.attachTenant("bob")
        let frame = try #require(try alice.call(ControlCalls.allocateAny(count: 1)).first).frame
        let (mapped, aliceFiles) = try alice.exchange(.map(frames: [frame]))
        guard case .mapped = mapped else { throw PeerFailure("map answered \(mapped)") }
        let aliceView = try MappedMemory.map(
            try #require(aliceFiles.first).raw, length: Int(InProcessDaemon.frameSize), writable: true)
        let message = Array("written by alice".utf8)
        aliceView.withUnsafeMutableBytes { $0.copyBytes(from: message) }

        let (token, _) = try alice.call(ControlCalls.grant(frame: frame, rights: .read, audience: "bob"))

        #expect(try bob.takeEvents() == [.offersChanged(outstanding: 1)])
        let offers = try bob.call(ControlCalls.offers(Page()))
        #expect(offers.entries.map(\.frame) == [frame])
        #expect(offers.entries.map(\.fromTenant) == ["alice"])
        let holding = try bob.call(ControlCalls.redeem(token))
        #expect(holding.frame == frame)
        #expect(holding.rights == .read)
        let (bobMapped, bobFiles) = try bob.exchange(.map(frames: [frame]))
        guard case .mapped = bobMapped else { throw PeerFailure("map answered \(bobMapped)") }
        let bobView = try MappedMemory.map(
            try #require(bobFiles.first).raw, length: Int(InProcessDaemon.frameSize), writable: false)
        #expect(bobView.withUnsafeBytes { Array($0[0..<message.count]) } == message)

        let op = try daemon.attachOperator()
        let listed = try op.call(ControlCalls.frames(tenant: nil, page: Page()))
        #expect(listed.entries.map(\.frame) == [frame])
        #expect(Set(listed.entries.first?.holders.map(\.tenantName) ?? []) == ["alice", "bob"])
    }

    @Test("an operator session is refused every tenant request (notAttached) and a tenant session every operator request (notOperator), and both sessions go on")
    func roleChecksThroughTheWholeDaemon() throws {
        let daemon = try InProcessDaemon()
        let op = try daemon.attachOperator()
        let alice = try daemon.attachTenant("alice")

        for kind in requestKinds where ControlDispatcher.permissions[kind] == .tenant {
            let (reply, descriptors) = try op.exchange(try #require(sampleRequest(kind)))
            #expect(errorCode(reply) == .notAttached, "\(kind)")
            #expect(descriptors.isEmpty, "\(kind)")
        }
        for kind in requestKinds where ControlDispatcher.permissions[kind] == .operator {
            let (reply, descriptors) = try alice.exchange(try #require(sampleRequest(kind)))
            #expect(errorCode(reply) == .notOperator, "\(kind)")
            #expect(descriptors.isEmpty, "\(kind)")
        }

        try op.call(ControlCalls.ping)
        try alice.call(ControlCalls.ping)
        let status = try op.call(ControlCalls.status)
        #expect(status.holdings == 0)
        #expect(status.freeFrames == status.poolFrames)
    }

    @Test("a session that closes frees its frames and its tokens die: the operator's status shows the pool whole again")
    func closingSessionFreesItsFrames() throws {
        let daemon = try InProcessDaemon()
        let op = try daemon.attachOperator()
        let alice = try daemon.attachTenant("alice")
        let bob = try daemon.attachTenant("bob")
        let frames = try alice.call(ControlCalls.allocateAny(count: 3)).map(\.frame)
        _ = try alice.call(ControlCalls.grant(frame: frames[0], rights: .read, audience: "bob"))
        let held = try op.call(ControlCalls.status)
        #expect(held.freeFrames == held.poolFrames - 3)
        #expect(held.holdings == 3)
        #expect(held.outstandingTokens == 1)
        _ = try bob.takeEvents()

        alice.close()

        // The hangup is read in alice's turn; under load her owner's share of the daemon's
        // (real) time may put that turn a little later (SECURITY.md, "Fairness").
        var freed = try op.call(ControlCalls.status)
        let deadline = ContinuousClock.now + .seconds(5)
        while freed.sessions != held.sessions - 1, ContinuousClock.now < deadline {
            usleep(2_000)
            daemon.turn()
            freed = try op.call(ControlCalls.status)
        }
        #expect(freed.freeFrames == freed.poolFrames)
        #expect(freed.holdings == 0)
        #expect(freed.outstandingTokens == 0)
        #expect(freed.sessions == held.sessions - 1)
        #expect(try bob.call(ControlCalls.offers(Page())).entries.isEmpty)
    }
}
