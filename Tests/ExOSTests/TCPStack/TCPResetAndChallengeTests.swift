// Resets and SYNs at an open connection (RFC 5961): a reset at exactly RCV.NXT ends it in
// every state; one elsewhere in the window draws a challenge ACK; one outside the window is
// ignored. A SYN in a synchronized state draws a challenge ACK. PAWS drops old timestamps.

import ExoPacket
import Testing

@testable import ExOS

/// The states a crafted peer can drive an accepted connection into.
enum DrivenState: String, CaseIterable, CustomTestStringConvertible {
    case established, finWait1, finWait2, closing, closeWait, lastAck
    var testDescription: String { rawValue }

    /// Opens passively and moves the stack's side into `self`.
    func drive(_ peer: inout CraftedPeer) -> TCPState? {
        guard peer.openPassively() else { return nil }
        let handle = peer.handle!
        switch self {
        case .established:
            break
        case .finWait1, .finWait2, .closing:
            try! peer.stack.shutdownWrite(handle, now: peer.now)
            let fin = peer.received().first { $0.flags.contains(.fin) }
            if self == .finWait2 { peer.send(.ack) }
            if self == .closing, let fin { peer.send([.fin, .ack], acknowledgement: fin.sequence) }
        case .closeWait, .lastAck:
            peer.send([.fin, .ack])
            if self == .lastAck { try! peer.stack.shutdownWrite(handle, now: peer.now) }
        }
        _ = peer.received()
        return peer.state
    }

    var expected: TCPState {
        switch self {
        case .established: .established
        case .finWait1: .finWait1
        case .finWait2: .finWait2
        case .closing: .closing
        case .closeWait: .closeWait
        case .lastAck: .lastAck
        }
    }
}

@Suite struct TCPResetAndChallengeTests {
    @Test(arguments: DrivenState.allCases)
    func aResetAtExactlyRCVNXTEndsTheConnection(_ driven: DrivenState) {
        var peer = CraftedPeer()
        #expect(driven.drive(&peer) == driven.expected)
        peer.send(.rst, sequence: peer.sendNext)
        #expect(peer.state == .closed)
        #expect(peer.stack.counters.tcp.resetsReceived == 1)
        let reported = peer.stack.tcp.error(peer.handle!)
        switch driven {
        case .established, .finWait1, .finWait2, .closeWait: #expect(reported == .connectionReset)
        default: break
        }
        #expect(peer.received().isEmpty)
    }

    @Test(arguments: DrivenState.allCases)
    func aResetElsewhereInTheWindowDrawsAChallengeAck(_ driven: DrivenState) {
        var peer = CraftedPeer()
        #expect(driven.drive(&peer) == driven.expected)
        peer.send(.rst, sequence: peer.sendNext + 100)
        #expect(peer.state == driven.expected)
        #expect(peer.stack.counters.tcp.challengeAcks == 1)
        let challenge = peer.received()
        #expect(challenge.count == 1)
        #expect(challenge.first.map { $0.flags.contains(.ack) && !$0.flags.contains(.rst) } == true)
        #expect(challenge.first?.acknowledgement == peer.sendNext)
    }

    @Test(arguments: DrivenState.allCases)
    func aResetOutsideTheWindowIsIgnored(_ driven: DrivenState) {
        var peer = CraftedPeer()
        #expect(driven.drive(&peer) == driven.expected)
        peer.send(.rst, sequence: peer.sendNext + 50_000_000)
        #expect(peer.state == driven.expected)
        #expect(peer.stack.counters.tcp.challengeAcks == 0)
        #expect(peer.received().isEmpty)
    }

    @Test func aResetInTimeWaitEndsIt() {
        var peer = CraftedPeer()
        #expect(DrivenState.finWait2.drive(&peer) == .finWait2)
        peer.send([.fin, .ack])
        #expect(peer.state == .timeWait)
        _ = peer.received()
        peer.send(.rst, sequence: peer.sendNext)
        #expect(peer.state == .closed)
    }

    @Test func inSynSentOnlyAResetAcknowledgingTheSYNRefuses() {
        var peer = CraftedPeer()
        let handle = try! peer.stack.connectTCP(
            to: IPv4Endpoint(address: CraftedPeer.address, port: CraftedPeer.port), port: 80, now: peer.now)
        peer.handle = handle
        let syn = peer.received()[0]
        // Without an ACK (or with a wrong one) a reset is not believed (RFC 9293 §3.10.7.3).
        peer.send(.rst, sequence: TCPSequenceNumber(0))
        peer.send([.rst, .ack], sequence: TCPSequenceNumber(0), acknowledgement: syn.sequence + 5)
        #expect(peer.state == .synSent)
        peer.send([.rst, .ack], sequence: TCPSequenceNumber(0), acknowledgement: syn.sequence + 1)
        #expect(peer.state == .closed)
        #expect(peer.stack.tcp.error(handle) == .refused)
    }

    @Test func aResetInSynReceivedDropsTheHalfOpenConnectionButNotTheListener() {
        var peer = CraftedPeer()
        let listener = try! peer.stack.listenTCP(port: 80)
        peer.send(.syn, options: CraftedPeer.synOptions(peer.clock))
        #expect(peer.received().count == 1)
        peer.send(.rst)
        #expect(peer.stack.accept(listener) == nil)
        // The listener still answers a new SYN from the same port.
        peer.sendNext = TCPSequenceNumber(7_000_000)
        peer.send(.syn, options: CraftedPeer.synOptions(peer.clock))
        let synAck = peer.received()
        #expect(synAck.count == 1 && synAck[0].flags == [.syn, .ack])
    }

    @Test func aConnectionSendsAtMostOneChallengeAckPerInterval() {
        var peer = CraftedPeer()
        let opened = peer.openPassively()
        #expect(opened)
        // A burst of forged resets and SYNs in the window: one challenge between them.
        for offset in [100, 200, 300] { peer.send(.rst, sequence: peer.sendNext + offset) }
        peer.send(.syn, sequence: peer.sendNext + 10, options: CraftedPeer.synOptions(peer.clock))
        #expect(peer.received().filter { $0.flags == .ack }.count == 1)
        #expect(peer.stack.counters.tcp.challengeAcks == 1)
        #expect(peer.stack.counters.tcp.challengeAcksLimited == 3)
        // Just short of the interval: still limited; once it has passed, challenged again.
        _ = peer.wait(.milliseconds(499))  // the interval is 500 ms
        peer.send(.rst, sequence: peer.sendNext + 400)
        #expect(peer.received().isEmpty)
        _ = peer.wait(.milliseconds(1))
        peer.send(.rst, sequence: peer.sendNext + 500)
        #expect(peer.received().filter { $0.flags == .ack }.count == 1)
        #expect(peer.stack.counters.tcp.challengeAcks == 2)
        #expect(peer.state == .established)
    }

    @Test func aSYNInASynchronizedStateDrawsAChallengeAck() {
        var peer = CraftedPeer()
        let opened = peer.openPassively()
        #expect(opened)
        peer.send(.syn, sequence: peer.sendNext + 10, options: CraftedPeer.synOptions(peer.clock))
        #expect(peer.state == .established)
        #expect(peer.stack.counters.tcp.challengeAcks == 1)
        let challenge = peer.received()
        #expect(challenge.count == 1 && challenge[0].flags == .ack)
    }

    @Test func pawsDropsASegmentWithAnOlderTimestamp() {
        var peer = CraftedPeer()
        let opened = peer.openPassively()
        #expect(opened)
        peer.clock = 10_000
        peer.send(.ack, payload: [1, 2, 3])
        #expect(peer.stack.tcp.readableBytes(peer.handle!) == 3)
        // A stale duplicate of the next bytes from a wrapped sequence space: its timestamp
        // is older than TS.Recent, so it is dropped (and answered with an ACK).
        peer.send(.ack, payload: [9, 9, 9], timestamp: 9_000)
        #expect(peer.stack.tcp.readableBytes(peer.handle!) == 3)
        #expect(peer.stack.counters[.tcpPAWSRejected] == 1)
        #expect(peer.received().count >= 1)
        // The same bytes with a current timestamp are taken.
        peer.send(.ack, sequence: peer.sendNext - 3, payload: [4, 5, 6], timestamp: 10_001)
        let read = try! peer.stack.readAvailable(peer.handle!, now: peer.now)
        #expect(read.bytes == [1, 2, 3, 4, 5, 6])
    }

    @Test func aSegmentForNoConnectionIsAnsweredWithAReset() {
        var peer = CraftedPeer()
        peer.send(.ack, sequence: TCPSequenceNumber(500), acknowledgement: TCPSequenceNumber(777), payload: [1])
        let reset = peer.received()
        #expect(reset.count == 1 && reset[0].flags == .rst && reset[0].sequence == TCPSequenceNumber(777))
        #expect(peer.stack.counters[.tcpNoConnection] == 1)
    }
}
