// A listener's bounds: with no room for half-open connections it completes them through SYN
// cookies; its accept queue holds at most `backlog` connections and counts what it drops.

import ExoPacket
import Testing

@testable import ExOS

@Suite struct TCPListenerTests {
    @Test func aListenerWithoutASynBacklogCompletesConnectionsThroughCookies() {
        var limits = Hosts.quiet
        limits.tcpSynBacklog = 0
        var pair = TCPPair(limits: limits)
        let opened = pair.establish()
        #expect(opened)
        let counters = pair.simulation.stacks[0].counters.tcp
        #expect(counters.synCookiesSent == 1 && counters.synCookiesAccepted == 1)
        let data = patternBytes(200_000, seed: 21)
        let got = pair.transfer(data, fromClient: true)
        #expect(got == data)
        let back = patternBytes(100_000, seed: 22)
        let gotBack = pair.transfer(back, fromClient: false)
        #expect(gotBack == back)
    }

    @Test func aCookieAckWithAForgedNumberIsRefused() {
        var limits = Hosts.quiet
        limits.tcpSynBacklog = 0
        var peer = CraftedPeer(limits: limits)
        let listener = try! peer.stack.listenTCP(port: 80)
        peer.send(.syn, options: CraftedPeer.synOptions(peer.clock))
        let synAck = peer.received()
        #expect(synAck.count == 1 && synAck[0].flags == [.syn, .ack])
        #expect(peer.stack.counters.tcp.synCookiesSent == 1)
        // An ACK that does not acknowledge the cookie opens nothing and is counted; while
        // the listener's cookies are live it draws no reset (it may be a genuine connection's).
        peer.send(.ack, acknowledgement: synAck[0].sequence + 77)
        #expect(peer.stack.accept(listener) == nil)
        #expect(peer.received().isEmpty)
        #expect(peer.stack.counters[.tcpBadCookie] == 1)
        // The right one opens the connection.
        peer.send(.ack, acknowledgement: synAck[0].sequence + 1)
        #expect(peer.stack.accept(listener) != nil)
        #expect(peer.stack.counters.tcp.synCookiesAccepted == 1)
    }

    @Test func aCookieConnectionWhoseFirstSegmentsWereLostOpensFromTheirRetransmission() {
        var limits = Hosts.quiet
        limits.tcpSynBacklog = 0
        var peer = CraftedPeer(limits: limits)
        let listener = try! peer.stack.listenTCP(port: 80)
        peer.send(.syn, options: CraftedPeer.synOptions(peer.clock))
        let synAck = peer.received()
        #expect(synAck.count == 1 && synAck[0].flags == [.syn, .ack])
        // The ACK and the 9 bytes after it were lost on the way (a flood filled the ring):
        // the stack first hears the FIN after them. The cookie cannot be checked there (it is
        // bound to the client's ISN, and this segment is 10 past it), so nothing opens, but
        // no reset kills the peer's connection either.
        let start = peer.sendNext
        let message: [UInt8] = Array("during-0\n".utf8)
        peer.send([.fin, .ack], sequence: start + message.count, payload: [])
        #expect(peer.stack.accept(listener) == nil)
        #expect(peer.received().isEmpty)
        #expect(peer.stack.counters[.tcpBadCookie] == 1)
        // The peer's retransmission starts from ISN + 1 again: the cookie opens the connection
        // and the bytes and the FIN are delivered.
        peer.send([.fin, .psh, .ack], sequence: start, payload: message)
        guard let handle = peer.stack.accept(listener) else {
            Issue.record("the retransmission did not open the connection")
            return
        }
        #expect(peer.stack.counters.tcp.synCookiesAccepted == 1)
        let read = try? peer.stack.readAvailable(handle, now: peer.now)
        #expect(read?.bytes == message && read?.end == true)
    }

    @Test func anAckAtAListenerThatSentNoCookiesIsReset() {
        var peer = CraftedPeer()
        _ = try! peer.stack.listenTCP(port: 80)
        peer.send(.ack, acknowledgement: TCPSequenceNumber(12345))
        let answer = peer.received()
        #expect(answer.count == 1 && answer.first?.flags == .rst)
        #expect(answer.first?.sequence == TCPSequenceNumber(12345))
    }

    @Test func aListenerResetsStrayAcksAgainOnceItsCookiesHaveExpired() {
        var limits = Hosts.quiet
        limits.tcpSynBacklog = 0
        var peer = CraftedPeer(limits: limits)
        _ = try! peer.stack.listenTCP(port: 80)
        peer.send(.syn, options: CraftedPeer.synOptions(peer.clock))
        #expect(peer.received().count == 1)
        peer.send(.ack, acknowledgement: TCPSequenceNumber(12345))
        #expect(peer.received().isEmpty)
        _ = peer.wait(SYNCookies.lifetime)
        peer.send(.ack, acknowledgement: TCPSequenceNumber(12345))
        #expect(peer.received().first?.flags == .rst)
    }

    @Test func aHandshakeEndingIntoAFullAcceptQueueWaitsInsteadOfBeingReset() {
        var simulation = Simulation([Hosts.owned(1), Hosts.owned(2)], seed: 5)
        let listener = try! simulation.stacks[0].listenTCP(port: 80, backlog: 2)
        let clients = (0..<4).map { _ in
            try! simulation.stacks[1].connectTCP(to: TCPPair.serverEndpoint, now: simulation.now)
        }
        simulation.advance(by: .milliseconds(500))
        // Two fill the queue; the last ACKs of the other two are dropped and counted, and
        // those two stay half-open on the server (as Linux with tcp_abort_on_overflow 0).
        #expect(simulation.stacks[0].counters[.tcpAcceptQueueFull] >= 2)
        #expect(simulation.stacks[0].counters.tcp.resetsSent == 0)
        var accepted = 0
        while simulation.stacks[0].accept(listener) != nil { accepted += 1 }
        #expect(accepted == 2)
        #expect(clients.allSatisfy { simulation.stacks[1].tcp.error($0) == nil })
        // With room again, the server's retransmitted SYN-ACK draws an ACK that completes them.
        simulation.run(for: .seconds(10)) { simulation in
            while simulation.stacks[0].accept(listener) != nil { accepted += 1 }
            return accepted == 4
        }
        #expect(accepted == 4)
        #expect(clients.allSatisfy { simulation.stacks[1].tcp.state($0) == .established })
        #expect(simulation.stacks[0].counters.tcp.resetsSent == 0)
    }
}
