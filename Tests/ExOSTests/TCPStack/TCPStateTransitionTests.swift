// RFC 9293's state diagram, one transition at a time: active and passive open, simultaneous
// open and close, half-close, FIN_WAIT_1/2, CLOSING, LAST_ACK, TIME_WAIT and its expiry.

import ExoImpairment
import ExoPacket
import Testing

@testable import ExOS

@Suite struct TCPStateTransitionTests {
    @Test func anActiveOpenGoesSynSentThenEstablished() {
        var peer = CraftedPeer()
        peer.handle = try! peer.stack.connectTCP(
            to: IPv4Endpoint(address: CraftedPeer.address, port: CraftedPeer.port), port: 80, now: peer.now)
        #expect(peer.state == .synSent)
        let syn = peer.received()
        #expect(syn.count == 1 && syn[0].flags == .syn)
        peer.send([.syn, .ack], acknowledgement: syn[0].sequence + 1, options: CraftedPeer.synOptions(peer.clock, echo: peer.echo))
        #expect(peer.state == .established)
        let ack = peer.received()
        #expect(ack.count == 1 && ack[0].flags == .ack && ack[0].acknowledgement == peer.sendNext)
    }

    @Test func aPassiveOpenGoesSynReceivedThenEstablishedAndIsAccepted() {
        var peer = CraftedPeer()
        let listener = try! peer.stack.listenTCP(port: 80)
        peer.send(.syn, options: CraftedPeer.synOptions(peer.clock))
        let synAck = peer.received()
        #expect(synAck.count == 1 && synAck[0].flags == [.syn, .ack])
        // Half-open: nothing to accept yet.
        #expect(peer.stack.accept(listener) == nil)
        peer.send(.ack)
        let handle = peer.stack.accept(listener)
        #expect(handle != nil)
        #expect(handle.flatMap { peer.stack.tcp.state($0) } == .established)
    }

    @Test func aSimultaneousOpenMeetsInSynReceived() {
        var profile = ImpairmentProfile()
        profile.delay = 1_000_000
        var simulation = Simulation([Hosts.owned(1), Hosts.owned(2)], profile: profile, seed: 1)
        let a = try! simulation.stacks[0].connectTCP(
            to: IPv4Endpoint(address: Hosts.address(2), port: 7001), port: 7000, now: simulation.now)
        let b = try! simulation.stacks[1].connectTCP(
            to: IPv4Endpoint(address: Hosts.address(1), port: 7000), port: 7001, now: simulation.now)
        // Both SYNs cross: each side answers the other's with a SYN-ACK from SYN_RECEIVED.
        let met = simulation.run(for: .seconds(1)) { $0.stacks[0].tcp.state(a) == .synReceived }
        #expect(met)
        let open = simulation.run(for: .seconds(5)) {
            $0.stacks[0].tcp.state(a) == .established && $0.stacks[1].tcp.state(b) == .established
        }
        #expect(open)
        #expect(simulation.stacks[0].counters.tcp.passiveOpens == 0)
        _ = try! simulation.stacks[0].write(a, [1, 2, 3][...], now: simulation.now)
        var got: [UInt8] = []
        simulation.run(for: .seconds(1)) { simulation in
            got += (try? simulation.stacks[1].readAvailable(b, now: simulation.now).bytes) ?? []
            return got.count == 3
        }
        #expect(got == [1, 2, 3])
    }

    @Test func aSimultaneousCloseGoesThroughClosingToTimeWaitOnBothSides() {
        var profile = ImpairmentProfile()
        profile.delay = 1_000_000
        var limits = Hosts.quiet
        limits.tcpTimeWait = .seconds(4)
        var pair = TCPPair(profile: profile, limits: limits)
        let opened = pair.establish()
        #expect(opened)
        let server = pair.server!
        let client = pair.client
        try! pair.simulation.stacks[0].shutdownWrite(server, now: pair.simulation.now)
        try! pair.simulation.stacks[1].shutdownWrite(client, now: pair.simulation.now)
        #expect(pair.simulation.stacks[0].tcp.state(server) == .finWait1)
        #expect(pair.simulation.stacks[1].tcp.state(client) == .finWait1)
        // Each FIN arrives before the ACK of the other: FIN_WAIT_1 → CLOSING.
        let closing = pair.simulation.run(for: .seconds(1)) { $0.stacks[1].tcp.state(client) == .closing }
        #expect(closing)
        let bothWaiting = pair.simulation.run(for: .seconds(2)) {
            $0.stacks[0].tcp.state(server) == .timeWait && $0.stacks[1].tcp.state(client) == .timeWait
        }
        #expect(bothWaiting)
        pair.simulation.advance(by: .seconds(5))
        #expect(pair.simulation.stacks[0].tcp.state(server) == .closed)
        #expect(pair.simulation.stacks[1].tcp.state(client) == .closed)
    }

    @Test func aHalfClosedConnectionStillCarriesTheOtherDirection() {
        var pair = TCPPair()
        let opened = pair.establish()
        #expect(opened)
        let server = pair.server!
        let client = pair.client
        try! pair.simulation.stacks[1].shutdownWrite(client, now: pair.simulation.now)
        pair.simulation.run(for: .seconds(1)) { $0.stacks[1].tcp.state(client) == .finWait2 }
        #expect(pair.simulation.stacks[1].tcp.state(client) == .finWait2)
        #expect(pair.simulation.stacks[0].tcp.state(server) == .closeWait)
        // The client can no longer write, but the server can, and the client reads it.
        #expect(throws: TCPError.self) { _ = try pair.simulation.stacks[1].write(client, [1][...], now: pair.simulation.now) }
        let data = patternBytes(50_000, seed: 9)
        let got = pair.transfer(data, fromClient: false, closeAfter: true)
        #expect(got == data)
        pair.simulation.run(for: .seconds(1)) { $0.stacks[1].tcp.state(client) == .timeWait }
        #expect(pair.simulation.stacks[1].tcp.state(client) == .timeWait)
        let end = try! pair.simulation.stacks[1].readAvailable(client, now: pair.simulation.now).end
        #expect(end)
    }

    @Test func finWait1BecomesFinWait2WhenTheFinIsAcknowledgedAndTimeWaitOnThePeersFin() {
        var peer = CraftedPeer()
        let opened = peer.openPassively()
        #expect(opened)
        try! peer.stack.shutdownWrite(peer.handle!, now: peer.now)
        let fin = peer.received()
        #expect(fin.count == 1 && fin[0].flags.contains(.fin))
        #expect(peer.state == .finWait1)
        peer.send(.ack)
        #expect(peer.state == .finWait2)
        peer.send([.fin, .ack])
        #expect(peer.state == .timeWait)
        let ack = peer.received()
        #expect(ack.count == 1 && ack[0].acknowledgement == peer.sendNext)
    }

    @Test func closingWaitsForTheAckOfOurFin() {
        var peer = CraftedPeer()
        let opened = peer.openPassively()
        #expect(opened)
        try! peer.stack.shutdownWrite(peer.handle!, now: peer.now)
        let fin = peer.received()
        #expect(fin.count == 1)
        // The peer's FIN crosses ours: it does not acknowledge our FIN.
        peer.send([.fin, .ack], acknowledgement: fin[0].sequence)
        #expect(peer.state == .closing)
        _ = peer.received()
        peer.send(.ack, acknowledgement: fin[0].sequence + 1)
        #expect(peer.state == .timeWait)
    }

    @Test func lastAckEndsWhenThePeerAcknowledgesOurFin() {
        var peer = CraftedPeer()
        let opened = peer.openPassively()
        #expect(opened)
        peer.send([.fin, .ack])
        #expect(peer.state == .closeWait)
        _ = peer.received()
        try! peer.stack.shutdownWrite(peer.handle!, now: peer.now)
        #expect(peer.state == .lastAck)
        let fin = peer.received()
        #expect(fin.count == 1 && fin[0].flags.contains(.fin))
        peer.send(.ack)
        #expect(peer.state == .closed)
        #expect(peer.stack.tcp.error(peer.handle!) == nil)
    }

    @Test func timeWaitLastsTwoMSLAndRestartsOnARetransmittedFin() {
        var limits = Hosts.quiet
        limits.tcpTimeWait = .seconds(10)
        var peer = CraftedPeer(limits: limits)
        let opened = peer.openPassively()
        #expect(opened)
        try! peer.stack.shutdownWrite(peer.handle!, now: peer.now)
        _ = peer.received()
        let finSequence = peer.sendNext
        peer.send([.fin, .ack])
        #expect(peer.state == .timeWait)
        _ = peer.wait(.seconds(6))
        // Our ACK was "lost": the FIN comes again, is acked, and TIME_WAIT starts over.
        peer.send([.fin, .ack], sequence: finSequence)
        let reAck = peer.received()
        #expect(reAck.count == 1 && reAck[0].acknowledgement == finSequence + 1)
        _ = peer.wait(.seconds(6))
        #expect(peer.state == .timeWait)
        _ = peer.wait(.seconds(5))
        #expect(peer.state == .closed)
    }
}
