// Loss recovery quality: a bulk transfer over a lossy link recovers from most losses by
// SACK/fast recovery and tail-loss probes, not by retransmission timeouts.

import ExoImpairment
import ExoPacket
import Testing

@testable import ExOS

@Suite struct TCPLossRecoveryTests {
    /// A 2 MB transfer over a 10 ms RTT, 100 Mbit/s link at `loss`; returns what it cost.
    static func measure(loss: Double, seed: UInt64, delay: UInt64 = 5_000_000, rate: UInt64 = 100_000_000) -> (rtos: UInt64, time: Interval, intact: Bool) {
        var profile = ImpairmentProfile()
        profile.loss = loss
        profile.duplicate = 0.01
        profile.reorder = 0.01
        profile.delay = delay
        profile.rateBitsPerSecond = rate
        var pair = TCPPair(profile: profile, seed: seed)
        guard pair.establish() else { return (0, .zero, false) }
        let data = patternBytes(2_000_000, seed: seed)
        let start = pair.simulation.now
        let got = pair.transfer(data, fromClient: true)
        let time = pair.simulation.now - start
        return (pair.simulation.stacks[1].counters.tcp.retransmissionTimeouts, time, got == data)
    }

    /// Losses are repaired by SACK recovery, RACK's marking and tail loss probes: at 5%
    /// random loss a 2 MB transfer sees at most a couple of timeouts (it saw 12 to 25
    /// before RACK-TLP) and finishes within 6 s of virtual time (it took 6 to 10 s).
    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func fivePercentLossIsRepairedWithoutTimeouts(seed: UInt64) {
        let result = Self.measure(loss: 0.05, seed: seed)
        #expect(result.intact)
        #expect(result.rtos <= 2)
        #expect(result.time < .seconds(6))
    }

    /// Prints the cost table of docs/EXOS.md §6 (run it by name to refresh the numbers).
    @Test func reportRecoveryCost() {
        for (loss, delay) in [(0.01, UInt64(5_000_000)), (0.02, 5_000_000), (0.05, 5_000_000), (0.02, 100_000)] {
            var line = "loss \(loss) delay \(delay):"
            for seed in UInt64(1)...5 {
                let result = Self.measure(loss: loss, seed: seed, delay: delay, rate: delay == 100_000 ? 0 : 100_000_000)
                #expect(result.intact)
                line += " [rto \(result.rtos) t \(result.time.nanoseconds / 1_000_000)ms\(result.intact ? "" : " BAD")]"
            }
            print(line)
        }
    }
}

/// Recovery, segment by segment, against a crafted receiver.
@Suite struct TCPFastRecoveryTests {
    /// An accepted connection that has sent `count` full segments the peer has not acked
    /// (after a warm-up transfer that opened the congestion window).
    static func flight(_ count: Int) -> (peer: CraftedPeer, segments: [SentSegment]) {
        var peer = CraftedPeer()
        _ = peer.openPassively()
        let mss = peer.block.sender.maximumSegment
        _ = peer.write(patternBytes(20 * mss, seed: 2))
        for _ in 0..<20 where peer.block.sender.space.bytesInFlight > 0 || peer.block.sender.space.buffer.count > 0 {
            _ = peer.received()
            peer.send(.ack, acknowledgement: peer.receiveNext)
        }
        _ = peer.received()
        _ = peer.write(patternBytes(count * mss, seed: 3))
        let segments = peer.received().filter { !$0.payload.isEmpty }
        return (peer, segments)
    }

    static func block(_ segments: ArraySlice<SentSegment>) -> TCPSACKBlock {
        TCPSACKBlock(start: segments.first!.sequence, end: segments.last!.sequence + segments.last!.payload.count)
    }

    @Test func threeDuplicateAcksWithSACKRetransmitOnlyTheHoles() {
        let flight = Self.flight(8)
        var peer = flight.peer
        let segments = flight.segments
        #expect(segments.count == 8)
        let base = segments[0].sequence
        #expect(peer.stack.counters.tcp.fastRetransmits == 0)
        // Segments 0 and 2 are lost; 1 and 3...7 arrive: three duplicate ACKs with SACK.
        peer.send(.ack, acknowledgement: base, sack: [Self.block(segments[1...1])])
        peer.send(.ack, acknowledgement: base, sack: [Self.block(segments[3...3]), Self.block(segments[1...1])])
        peer.send(.ack, acknowledgement: base, sack: [Self.block(segments[3...5]), Self.block(segments[1...1])])
        let resent = peer.received().filter { !$0.payload.isEmpty && !$0.sequence.isAfter(segments[7].sequence) }
        #expect(peer.stack.counters.tcp.fastRetransmits == 1)
        let resentStarts = Set(resent.map(\.sequence.rawValue))
        #expect(resentStarts.contains(segments[0].sequence.rawValue))
        #expect(resentStarts.contains(segments[2].sequence.rawValue))
        // Nothing the peer SACKed is sent again.
        for index in [1, 3, 4, 5] { #expect(!resentStarts.contains(segments[index].sequence.rawValue)) }
        // Everything acknowledged: recovery ends at the recovery point, without a timeout.
        peer.send(.ack, acknowledgement: peer.receiveNext)
        _ = peer.received()
        #expect(!peer.block.sender.recovery.inRecovery || peer.block.sender.space.unacknowledged.isBefore(peer.block.sender.recovery.recoveryPoint!))
        #expect(peer.stack.counters.tcp.retransmissionTimeouts == 0)
    }

    @Test func aTailLossIsRepairedByAProbeBeforeTheRetransmissionTimeout() {
        let flight = Self.flight(4)
        var peer = flight.peer
        let segments = flight.segments
        let last = segments.suffix(2)
        // The first two arrive; the last two are lost: no duplicate ACK will ever come.
        peer.send(.ack, acknowledgement: last.first!.sequence)
        _ = peer.received()
        let rto = peer.stack.tcp.info(peer.handle!)!.retransmissionTimeout
        let probe = peer.wait(Interval(nanoseconds: rto.nanoseconds - 1_000_000)).filter { !$0.payload.isEmpty }
        #expect(peer.stack.counters.tcp.tailLossProbes == 1)
        // The probe resends the last segment.
        #expect(probe.first?.sequence == last.last!.sequence)
        // Its SACK shows the segment before it lost (RACK): that is resent at once.
        peer.send(.ack, acknowledgement: last.first!.sequence, sack: [Self.block(last.suffix(1))])
        let repair = peer.received().filter { !$0.payload.isEmpty }
        #expect(repair.first?.sequence == last.first!.sequence)
        peer.send(.ack, acknowledgement: peer.receiveNext)
        #expect(peer.stack.counters.tcp.retransmissionTimeouts == 0)
        #expect(peer.stack.tcp.info(peer.handle!)!.bytesInFlight == 0)
    }

    @Test func aLostRetransmissionIsResentWithoutWaitingForTheTimeout() {
        let flight = Self.flight(12)
        var peer = flight.peer
        let segments = flight.segments
        #expect(segments.count == 12)
        let base = segments[0].sequence
        peer.send(.ack, acknowledgement: base, sack: [Self.block(segments[1...3])])
        let first = peer.received().filter { $0.sequence == base && !$0.payload.isEmpty }
        #expect(first.count == 1)
        // The retransmission is lost as well; later segments (sent after it) keep arriving.
        peer.send(.ack, acknowledgement: base, sack: [Self.block(segments[1...11])])
        peer.send(.ack, acknowledgement: base, sack: [Self.block(segments[1...11])])
        _ = peer.write(patternBytes(8 * peer.block.sender.maximumSegment, seed: 5))
        var again: [SentSegment] = []
        for _ in 0..<8 {
            let sent = peer.received().filter { !$0.payload.isEmpty }
            again += sent.filter { $0.sequence == base }
            let newest = sent.filter { $0.sequence.isAfter(segments[11].sequence) }
            if let top = newest.last {
                peer.send(.ack, acknowledgement: base, sack: [TCPSACKBlock(start: segments[1].sequence, end: top.sequence + top.payload.count)])
            }
            if !again.isEmpty { break }
        }
        #expect(again.count == 1)
        #expect(peer.stack.counters.tcp.lostRetransmissions >= 1)
        #expect(peer.stack.counters.tcp.retransmissionTimeouts == 0)
    }
}
