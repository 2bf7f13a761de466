// The connection's timers: retransmission back-off and giving up (RFC 6298 §5), the persist
// timer's window probes against a zero window (RFC 9293 §3.8.6.1), keep-alive probes and
// their timeout (RFC 1122 §4.2.3.6).

import ExoPacket
import Testing

@testable import ExOS

@Suite struct TCPTimerTests {
    /// When each segment carrying `sequence` left, in order.
    static func sendTimes(of sequence: TCPSequenceNumber, in peer: inout CraftedPeer, for interval: Interval) -> [Instant] {
        var times: [Instant] = []
        let end = peer.now + interval
        while peer.now < end {
            let step = peer.wait(.milliseconds(10))
            for segment in step where segment.sequence == sequence && !segment.payload.isEmpty { times.append(peer.now) }
            if peer.state == .closed { break }
        }
        return times
    }

    @Test func theRetransmissionTimeoutDoublesAndTheConnectionGivesUpWithTimedOut() {
        var limits = Hosts.quiet
        limits.tcpRetries = 5
        var peer = CraftedPeer(limits: limits)
        let opened = peer.openActively()
        #expect(opened)
        let first = peer.sendNext
        _ = first
        let sequence = peer.receiveNext
        #expect(peer.write([1, 2, 3, 4]) == 4)
        let times = Self.sendTimes(of: sequence, in: &peer, for: .seconds(120))
        // The original and five retransmissions; each wait twice the one before (to the
        // 10 ms the test steps by).
        #expect(times.count == 6)
        let gaps = zip(times.dropFirst(), times).map { ($0.nanoseconds - $1.nanoseconds) / 1_000_000 }
        for (later, earlier) in zip(gaps.dropFirst(), gaps) {
            #expect(later >= 2 * earlier - 20 && later <= 2 * earlier + 20)
        }
        #expect(peer.state == .closed)
        #expect(peer.stack.tcp.error(peer.handle!) == .timedOut)
        #expect(peer.stack.counters.tcp.timeouts == 1)
        #expect(peer.stack.counters.tcp.retransmissionTimeouts == 5)
    }

    @Test func anUnansweredSYNIsRetriedWithBackOffThenTimesOut() {
        var limits = Hosts.quiet
        limits.tcpSynRetries = 3
        var peer = CraftedPeer(limits: limits)
        let handle = try! peer.stack.connectTCP(
            to: IPv4Endpoint(address: CraftedPeer.address, port: CraftedPeer.port), port: 80, now: peer.now)
        peer.handle = handle
        var synTimes: [UInt64] = []
        for _ in 0..<3000 where peer.state != .closed {
            for segment in peer.wait(.milliseconds(10)) where segment.flags == .syn { synTimes.append(peer.now.nanoseconds / 1_000_000) }
        }
        // 0, 1 s, 3 s, 7 s: the initial 1 s RTO doubling; closed 8 s later.
        #expect(synTimes.count == 4)
        if synTimes.count == 4 {
            #expect(synTimes[1] - synTimes[0] >= 990 && synTimes[1] - synTimes[0] <= 1010)
            #expect(synTimes[3] - synTimes[2] >= 3990 && synTimes[3] - synTimes[2] <= 4010)
        }
        #expect(peer.stack.tcp.error(handle) == .timedOut)
    }

    @Test func aZeroWindowIsProbedUntilTheReceiverReadsAndItReopens() {
        var server = TCPConnectionOptions()
        server.receiveBufferSize = 16_384
        var pair = TCPPair(serverOptions: server)
        let opened = pair.establish()
        #expect(opened)
        let client = pair.client
        let serverHandle = pair.server!
        // The server's application does not read: the client fills the window, then probes.
        let data = patternBytes(100_000, seed: 4)
        var sent = 0
        pair.simulation.run(for: .seconds(20)) { simulation in
            while sent < data.count, let count = try? simulation.stacks[1].write(client, data[sent...], now: simulation.now),
                count > 0
            {
                sent += count
            }
            return false
        }
        // The window closed (less than a segment free is not offered: receiver SWS avoidance).
        #expect(pair.simulation.stacks[0].tcp.readableBytes(serverHandle) > 16_384 - 1448)
        let probes = pair.simulation.stacks[1].counters.tcp.windowProbes
        #expect(probes >= 3)
        #expect(pair.simulation.stacks[1].tcp.state(client) == .established)
        #expect(pair.simulation.stacks[1].counters.tcp.retransmissionTimeouts == 0)
        // Reading opens the window: the rest arrives, byte-exact.
        var received: [UInt8] = []
        pair.simulation.run(for: .seconds(60)) { simulation in
            let now = simulation.now
            while sent < data.count, let count = try? simulation.stacks[1].write(client, data[sent...], now: now), count > 0 {
                sent += count
            }
            received += (try? simulation.stacks[0].readAvailable(serverHandle, now: now).bytes) ?? []
            return received.count == data.count
        }
        #expect(received == data)
    }

    @Test func aWindowUpdateReleasesDataHeldBackByAZeroWindow() {
        var peer = CraftedPeer()
        let opened = peer.openPassively()
        #expect(opened)
        peer.send(.ack, window: 0)
        #expect(peer.write([1, 2, 3]) == 3)
        #expect(peer.received().allSatisfy { $0.payload.isEmpty })
        // The persist timer sends a probe (a segment just below SND.UNA).
        let probe = peer.wait(.seconds(2))
        #expect(!probe.isEmpty && probe.allSatisfy { $0.payload.isEmpty })
        #expect(peer.stack.counters.tcp.windowProbes >= 1)
        peer.send(.ack, window: 1000)
        let data = peer.received()
        #expect(data.count == 1 && data.first?.payload == [1, 2, 3])
    }

    /// A peer that answers every probe with its window still shut, for `interval`; returns the
    /// probes seen.
    static func answerProbesWithAShutWindow(_ peer: inout CraftedPeer, for interval: Interval) -> Int {
        var probes = 0
        let end = peer.now + interval
        while peer.now < end {
            for segment in peer.wait(.milliseconds(100)) where segment.payload.isEmpty && !segment.flags.contains(.rst) {
                probes += 1
                peer.send(.ack, window: 0)
            }
        }
        return probes
    }

    @Test func aClosedConnectionWhosePeerNeverOpensItsWindowIsDroppedAfterItsOrphanProbes() {
        var peer = CraftedPeer()
        let opened = peer.openPassively()
        #expect(opened)
        peer.send(.ack, window: 0)
        #expect(peer.write([1, 2, 3]) == 3)
        // The application closes with bytes held back: FIN_WAIT_1 behind a shut window.
        peer.stack.close(peer.handle!, now: peer.now)
        #expect(peer.stack.tcp.connections.table.openCount == 1)
        // Probes back off to a minute apart; eight of them fit in well under ten minutes.
        let probes = Self.answerProbesWithAShutWindow(&peer, for: .seconds(600))
        #expect(probes == Hosts.quiet.tcpOrphanProbes)
        #expect(peer.stack.tcp.connections.table.openCount == 0)
        #expect(peer.stack.counters.tcp.orphansDropped == 1)
        #expect(peer.log.allSatisfy { !$0.flags.contains(.rst) })
    }

    @Test func aConnectionTheApplicationStillHoldsKeepsProbingAShutWindow() {
        var peer = CraftedPeer()
        let opened = peer.openPassively()
        #expect(opened)
        peer.send(.ack, window: 0)
        #expect(peer.write([1, 2, 3]) == 3)
        let probes = Self.answerProbesWithAShutWindow(&peer, for: .seconds(600))
        #expect(probes > Hosts.quiet.tcpOrphanProbes)
        #expect(peer.state == .established)
        #expect(peer.stack.counters.tcp.orphansDropped == 0)
        // The window opens at last: the bytes go.
        peer.send(.ack, window: 1000)
        #expect(peer.received().first?.payload == [1, 2, 3])
    }

    @Test func keepAliveProbesAnIdleConnectionAndTimesOutWhenUnanswered() {
        var options = TCPConnectionOptions()
        options.keepAlive = TCPKeepAlive(idle: .seconds(10), interval: .seconds(2), probes: 3)
        var peer = CraftedPeer()
        let opened = peer.openActively(options: options)
        #expect(opened)
        #expect(peer.wait(.seconds(9)).isEmpty)
        let first = peer.wait(.seconds(2))
        #expect(first.count == 1 && first[0].payload.isEmpty && first[0].sequence == peer.receiveNext - 1)
        // An answer keeps the connection alive and restarts the idle time.
        peer.send(.ack)
        #expect(peer.wait(.seconds(9)).isEmpty)
        #expect(peer.state == .established)
        // Unanswered: three probes two seconds apart, then .timedOut.
        let probes = peer.wait(.seconds(9))
        #expect(probes.count == 3)
        #expect(peer.state == .closed)
        #expect(peer.stack.tcp.error(peer.handle!) == .timedOut)
    }
}
