// TIME_WAIT and a new incarnation of its connection: a SYN provably newer than the old
// connection (by timestamp, RFC 6191; by sequence number without, RFC 1122 §4.2.2.13) ends
// the TIME_WAIT and opens a new connection at once; an older one draws a challenge ACK. A
// connection the application closed keeps no buffers in TIME_WAIT and leaves FIN_WAIT_2 in time.

import ExoPacket
import Testing

@testable import ExOS

@Suite struct TCPTimeWaitTests {
    /// The stack closes first and ends in TIME_WAIT; returns the old connection's SND.NXT.
    private func closeIntoTimeWait(_ peer: inout CraftedPeer) -> TCPSequenceNumber? {
        guard DrivenState.finWait2.drive(&peer) == .finWait2 else { return nil }
        peer.send([.fin, .ack])
        _ = peer.received()
        guard peer.state == .timeWait else { return nil }
        return peer.block.sender.space.next
    }

    @Test func aNewerSYNByTimestampOpensANewConnectionAtOnce() {
        var peer = CraftedPeer()
        guard let oldSendNext = closeIntoTimeWait(&peer) else {
            Issue.record("did not reach TIME_WAIT")
            return
        }
        let old = peer.handle!
        peer.stack.close(old, now: peer.now)
        // The same port, a sequence number below the old one's but a newer timestamp.
        peer.clock += 10
        peer.sendNext = peer.sendNext - 5_000
        peer.send(.syn, options: CraftedPeer.synOptions(peer.clock))
        let synAck = peer.received()
        #expect(synAck.count == 1 && synAck.first?.flags == [.syn, .ack])
        // Its ISN lies a maximum window beyond everything the old connection sent.
        #expect(synAck.first?.sequence == oldSendNext + 65_537)
        #expect(peer.stack.counters.tcp.timeWaitReused == 1)
        peer.send(.ack)
        let fresh = peer.stack.accept(peer.listener!)
        #expect(fresh != nil)
        #expect(fresh.map { peer.stack.tcp.state($0) } == .established)
        peer.handle = fresh
        #expect(peer.write(Array("again".utf8)) == 5)
        #expect(peer.received().first?.payload == Array("again".utf8))
    }

    @Test func withoutTimestampsASYNBeyondRCVNXTOpensANewConnection() {
        var peer = CraftedPeer()
        guard closeIntoTimeWait(&peer) != nil else {
            Issue.record("did not reach TIME_WAIT")
            return
        }
        var options = CraftedPeer.synOptions(peer.clock)
        options.timestamps = nil
        peer.sendNext = peer.sendNext + 100_000
        peer.send(.syn, options: options)
        #expect(peer.received().first?.flags == [.syn, .ack])
        #expect(peer.stack.counters.tcp.timeWaitReused == 1)
    }

    @Test func anOlderSYNDrawsAChallengeAckAndTheTimeWaitStays() {
        var peer = CraftedPeer()
        guard closeIntoTimeWait(&peer) != nil else {
            Issue.record("did not reach TIME_WAIT")
            return
        }
        // The timestamp the old connection last saw, not newer: not provably a new connection.
        peer.sendNext = peer.sendNext + 100_000
        peer.send(.syn, options: CraftedPeer.synOptions(peer.clock))
        let answer = peer.received()
        #expect(answer.count == 1 && answer.first?.flags == .ack)
        #expect(peer.state == .timeWait)
        #expect(peer.stack.counters.tcp.timeWaitReused == 0)
    }

    @Test func withoutAListenerTheTimeWaitStays() {
        var peer = CraftedPeer()
        guard closeIntoTimeWait(&peer) != nil else {
            Issue.record("did not reach TIME_WAIT")
            return
        }
        peer.stack.close(peer.listener!)
        peer.clock += 10
        peer.send(.syn, options: CraftedPeer.synOptions(peer.clock))
        #expect(peer.state == .timeWait)
        #expect(peer.received().allSatisfy { !$0.flags.contains(.syn) })
    }

    @Test func aFullTableEndsTheOldestClosedTimeWaitToAcceptANewConnection() {
        var limits = Hosts.quiet
        limits.tcpConnections = 2
        var simulation = Simulation([Hosts.owned(1, limits: limits), Hosts.owned(2)], seed: 9)
        let listener = try! simulation.stacks[0].listenTCP(port: 80)
        func connect(_ simulation: inout Simulation) -> (client: TCPHandle, server: TCPHandle?) {
            let client = try! simulation.stacks[1].connectTCP(to: TCPPair.serverEndpoint, now: simulation.now)
            var server: TCPHandle?
            _ = simulation.run(for: .seconds(2)) { simulation in
                server = server ?? simulation.stacks[0].accept(listener)
                return server != nil && simulation.stacks[1].tcp.state(client) == .established
            }
            return (client, server)
        }
        // The server closes first and ends in TIME_WAIT; its application lets go of it.
        let first = connect(&simulation)
        guard let firstServer = first.server else {
            Issue.record("the first connection did not open")
            return
        }
        simulation.stacks[0].close(firstServer, now: simulation.now)
        simulation.advance(by: .milliseconds(100))
        simulation.stacks[1].close(first.client, now: simulation.now)
        simulation.advance(by: .milliseconds(100))
        #expect(simulation.stacks[0].tcp.connections.table.openCount == 1)  // the TIME_WAIT
        // A second fills the table; a third still opens, in the TIME_WAIT's place.
        #expect(connect(&simulation).server != nil)
        let third = connect(&simulation)
        #expect(third.server != nil)
        #expect(simulation.stacks[0].counters.tcp.timeWaitRecycled == 1)
        #expect(simulation.stacks[0].counters[.tcpTableFull] == 0)
    }

    @Test func aClosedConnectionInTimeWaitKeepsNoBuffers() {
        var peer = CraftedPeer()
        guard closeIntoTimeWait(&peer) != nil else {
            Issue.record("did not reach TIME_WAIT")
            return
        }
        // Still the application's: its buffers stay (it may read what arrived).
        #expect(peer.block.receiver.buffer.capacity > 0)
        peer.stack.close(peer.handle!, now: peer.now)
        #expect(peer.block.state == .timeWait)
        #expect(peer.block.sender.space.buffer.capacity == 0 && peer.block.receiver.buffer.capacity == 0)
        // A retransmitted FIN is still acknowledged, and TIME_WAIT ends on time.
        peer.send([.fin, .ack], sequence: peer.sendNext - 1)
        #expect(peer.received().first?.flags == .ack)
        _ = peer.wait(Hosts.quiet.tcpTimeWait + .seconds(1))
        #expect(peer.stack.tcp.connections.table.openCount == 0)
    }

    @Test func aClosedConnectionWhosePeerNeverClosesIsDroppedFromFinWait2() {
        var peer = CraftedPeer()
        #expect(DrivenState.finWait2.drive(&peer) == .finWait2)
        peer.stack.close(peer.handle!, now: peer.now)
        _ = peer.wait(.seconds(59))  // tcpOrphanFinWait2 is 60 s
        #expect(peer.stack.tcp.connections.table.openCount == 1)
        let dropped = peer.wait(.seconds(2))
        #expect(peer.stack.tcp.connections.table.openCount == 0)
        #expect(dropped.allSatisfy { !$0.flags.contains(.rst) })
    }

    @Test func aHalfClosedConnectionTheApplicationStillHoldsStaysInFinWait2() {
        var peer = CraftedPeer()
        #expect(DrivenState.finWait2.drive(&peer) == .finWait2)
        _ = peer.wait(Hosts.quiet.tcpOrphanFinWait2 + .seconds(10))
        #expect(peer.state == .finWait2)
        // The peer may still send; the application reads it.
        peer.send(.ack, payload: Array("late".utf8))
        #expect(peer.stack.tcp.readableBytes(peer.handle!) == 4)
    }
}
