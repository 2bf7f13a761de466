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
        // An ACK that does not acknowledge the cookie is answered with a reset.
        peer.send(.ack, acknowledgement: synAck[0].sequence + 77)
        #expect(peer.stack.accept(listener) == nil)
        #expect(peer.received().first?.flags.contains(.rst) == true)
        // The right one opens the connection.
        peer.send(.ack, acknowledgement: synAck[0].sequence + 1)
        #expect(peer.stack.accept(listener) != nil)
        #expect(peer.stack.counters.tcp.synCookiesAccepted == 1)
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
        #expect(clients.allSatisfy { simulation.stacks[1].error($0) == nil })
        // With room again, the server's retransmitted SYN-ACK draws an ACK that completes them.
        simulation.run(for: .seconds(10)) { simulation in
            while simulation.stacks[0].accept(listener) != nil { accepted += 1 }
            return accepted == 4
        }
        #expect(accepted == 4)
        #expect(clients.allSatisfy { simulation.stacks[1].state($0) == .established })
        #expect(simulation.stacks[0].counters.tcp.resetsSent == 0)
    }
}
