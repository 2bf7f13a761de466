// Segment arrival (RFC 9293 §3.10.7, "SEGMENT ARRIVES") for a connection that exists: one
// arriving segment and the steps it takes its connection through: SYN-SENT's handshake
// checks, then for every other state the sequence check (with PAWS, RFC 7323 §5), RST and SYN
// per RFC 5961 (challenge ACKs instead of trusting blind resets), the ACK (which the sender
// takes), the data (which the receiver takes) and the FIN, with the state changes each brings.

import ExoPacket

/// One segment arriving at a connection (checksummed, addressed to it), at `now`. Its
/// payload is borrowed from the device for the call; what is kept is copied into the ring.
struct TCPSegmentArrival {
    let segment: TCPRepr
    let payload: PacketBytes
    let now: Instant

    /// Takes the segment into `block`; returns what the stack must do next.
    func process(_ block: inout TCPControlBlock, counters: inout StackCounters) -> TCPOutcome {
        block.keepAlive.heard(at: now)
        switch block.state {
        case .closed: return .resetReply
        case .synSent: return inSynSent(&block, counters: &counters)
        default: return synchronized(&block, counters: &counters)
        }
    }

    /// RFC 9293 §3.10.7.3.
    private func inSynSent(_ block: inout TCPControlBlock, counters: inout StackCounters) -> TCPOutcome {
        let flags = segment.flags
        let ack = segment.acknowledgementNumber
        if flags.contains(.ack) {
            guard ack.isAfter(block.sender.space.initial), !ack.isAfter(block.sender.space.next) else {
                counters.count(.tcpBadAck)
                return flags.contains(.rst) ? [] : .resetReply
            }
        }
        if flags.contains(.rst) {
            guard flags.contains(.ack) else {
                counters.count(.tcpBadReset)
                return []
            }
            block.error = .refused
            block.state = .closed
            return [.closed, .readable, .writable]
        }
        guard flags.contains(.syn) else {
            counters.count(.tcpUnexpectedSegment)
            return []
        }
        block.receiver.synchronize(initial: segment.sequenceNumber, next: segment.sequenceNumber + 1)
        block.negotiate(segment.options, now: now)
        guard flags.contains(.ack) else {
            // Simultaneous open (RFC 9293 §3.5): answer with a SYN-ACK of the same ISN.
            block.state = .synReceived
            block.sender.space.synPending = true
            block.sender.space.next = block.sender.space.initial
            return .transmit
        }
        block.sender.space.synchronize(acknowledged: ack)
        // RFC 7323 §2.2: the window of a SYN is never scaled.
        block.sender.space.updateWindow(segment, shift: 0, force: true)
        block.state = .established
        let timestampNow = block.agreed.timestampsEnabled ? block.agreed.timestampClock(now) : nil
        block.sender.timers.sample(segment, acknowledged: ack, timestampNow: timestampNow, now: now)
        block.sender.timers.progressed()
        block.sender.timers.retransmitDeadline = nil
        block.receiver.acknowledgements.oweNow()
        return [.writable, .established, .transmit]
    }

    /// RFC 9293 §3.10.7.4: every state after SYN-SENT.
    private func synchronized(_ block: inout TCPControlBlock, counters: inout StackCounters) -> TCPOutcome {
        let flags = segment.flags
        if !flags.contains(.rst), block.agreed.isStale(segment, now: now) {
            counters.count(.tcpPAWSRejected)
            block.receiver.acknowledgements.oweNow()
            return .transmit
        }
        guard block.receiver.isAcceptable(segment, payloadLength: payload.count) else {
            counters.count(.tcpOutOfWindow)
            if flags.contains(.rst) { return [] }
            if block.state == .timeWait, flags.contains(.fin),
                segment.sequenceNumber + payload.count + 1 == block.receiver.next
            {
                // The peer's FIN again (our ACK was lost; it lies just below the window):
                // acknowledged, and TIME_WAIT's 2·MSL starts over (RFC 9293 §3.10.7.4).
                block.timeWaitDeadline = now + block.limits.tcpTimeWait
            }
            block.receiver.acknowledgements.oweNow()
            return .transmit
        }
        if flags.contains(.rst) { return reset(&block, counters: &counters) }
        if flags.contains(.syn) {
            if block.state == .synReceived, segment.sequenceNumber == block.receiver.initial {
                // The peer did not hear our SYN-ACK: send it again.
                block.sender.space.synPending = true
                return .transmit
            }
            // RFC 5961 §4: a SYN in a synchronized state gets a challenge ACK, not a reset.
            return challenge(&block, counters: &counters)
        }
        guard flags.contains(.ack) else {
            counters.count(.tcpUnexpectedSegment)
            return []
        }
        var outcome: TCPOutcome = []
        if block.state == .synReceived {
            let ack = segment.acknowledgementNumber
            guard ack.isAfter(block.sender.space.unacknowledged), !ack.isAfter(block.sender.space.maximum) else {
                counters.count(.tcpBadAck)
                return .resetReply
            }
            block.state = .established
            block.sender.space.updateWindow(segment, shift: block.agreed.sendScale, force: true)
            outcome.formUnion([.established, .writable])
        }
        switch block.sender.receiveAcknowledgement(
            segment, payloadLength: payload.count, state: block.state, block.agreed, now: now, counters: &counters)
        {
        case .unsent:
            counters.count(.tcpBadAck)
            block.receiver.acknowledgements.oweNow()
            return outcome.union(.transmit)
        case .tooOld:
            _ = challenge(&block, counters: &counters)
            return outcome.union(.transmit)
        case .taken(let taken):
            outcome.formUnion(taken)
            outcome.formUnion(finAcknowledged(&block))
        }
        if block.state == .closed || block.state == .timeWait && !flags.contains(.fin) { return outcome }
        if flags.contains(.urg) { counters.tcp.urgentIgnored &+= 1 }
        outcome.formUnion(text(&block, counters: &counters))
        return outcome
    }

    /// RFC 5961 §3.2: only a reset at exactly RCV.NXT is believed; another in the window
    /// gets a challenge ACK (a genuine peer answers it with a reset at RCV.NXT).
    private func reset(_ block: inout TCPControlBlock, counters: inout StackCounters) -> TCPOutcome {
        guard segment.sequenceNumber == block.receiver.next else { return challenge(&block, counters: &counters) }
        counters.tcp.resetsReceived &+= 1
        switch block.state {
        case .synReceived: block.error = block.listener != nil ? nil : .refused
        case .established, .finWait1, .finWait2, .closeWait: block.error = .connectionReset
        default: break
        }
        block.state = .closed
        return [.closed, .readable, .writable]
    }

    /// Answers a suspicious RST, SYN or ACK with an ACK (RFC 5961), at most one per
    /// `tcpChallengeAckInterval`: a blind attacker sending many cannot make the connection
    /// amplify them, and a genuine peer's answer to the first one is enough.
    private func challenge(_ block: inout TCPControlBlock, counters: inout StackCounters) -> TCPOutcome {
        let interval = block.limits.tcpChallengeAckInterval
        guard block.receiver.acknowledgements.mayChallenge(now: now, interval: interval) else {
            counters.tcp.challengeAcksLimited &+= 1
            return []
        }
        counters.tcp.challengeAcks &+= 1
        block.receiver.acknowledgements.oweNow()
        return .transmit
    }

    /// The close states that the acknowledgement of our FIN moves on (RFC 9293 §3.10.7.4).
    private func finAcknowledged(_ block: inout TCPControlBlock) -> TCPOutcome {
        guard block.sender.space.finAcknowledged else { return [] }
        switch block.state {
        case .finWait1: block.state = .finWait2
        case .closing: block.enterTimeWait(now: now)
        case .lastAck:
            block.state = .closed
            return .closed
        default: break
        }
        return []
    }

    /// The data and FIN (RFC 9293 §3.10.7.4 "seventh" and "eighth"), with TS.Recent updated
    /// first (RFC 7323 §4.3).
    private func text(_ block: inout TCPControlBlock, counters: inout StackCounters) -> TCPOutcome {
        var outcome: TCPOutcome = []
        block.agreed.remember(segment, receiveNext: block.receiver.next, now: now)
        if payload.count > 0 {
            if block.state.receivesData {
                let (offset, data) = block.receiver.trim(payload, at: segment.sequenceNumber, counters: &counters)
                if block.orphaned, data.count > 0 {
                    // Nobody will read it: tell the peer (RFC 9293 §3.10.4, as Linux does).
                    block.resetPending = true
                    return .transmit
                }
                let fullSized = payload.count >= block.sender.maximumSegment
                switch block.receiver.accept(
                    data, offset: offset, fullSized: fullSized, now: now, delay: block.limits.tcpDelayedAck,
                    counters: &counters)
                {
                case .acknowledgeNow: outcome.insert(.transmit)
                case .readable(let acknowledgeNow): outcome.formUnion(acknowledgeNow ? [.readable, .transmit] : .readable)
                case .readableUpToFin: outcome.formUnion(finInOrder(&block).union(.readable))
                }
            } else {
                // Data after the peer's FIN (or before the handshake ended): ignored, acked.
                counters.count(.tcpUnexpectedSegment)
                block.receiver.acknowledgements.oweNow()
                outcome.insert(.transmit)
            }
        }
        guard segment.flags.contains(.fin) else { return outcome }
        switch block.receiver.finArrived(at: segment.sequenceNumber + payload.count) {
        case .inOrder: outcome.formUnion(finInOrder(&block))
        case .ahead: outcome.insert(.transmit)
        case .other:
            let state = block.state
            guard state == .timeWait || state == .closeWait || state == .lastAck || state == .closing else { break }
            // A retransmitted FIN: our ACK was lost. TIME_WAIT restarts (RFC 9293 §3.10.7.4).
            if state == .timeWait { block.timeWaitDeadline = now + block.limits.tcpTimeWait }
            block.receiver.acknowledgements.oweNow()
            outcome.insert(.transmit)
        }
        return outcome
    }

    /// The peer's FIN in order: the end of its stream (RFC 9293 §3.10.7.4 "eighth").
    private func finInOrder(_ block: inout TCPControlBlock) -> TCPOutcome {
        guard block.receiver.takeFin() else { return [] }
        switch block.state {
        case .synReceived, .established: block.state = .closeWait
        case .finWait1:
            if block.sender.space.finAcknowledged { block.enterTimeWait(now: now) } else { block.state = .closing }
        case .finWait2: block.enterTimeWait(now: now)
        default: break
        }
        return [.readable, .transmit]
    }
}
