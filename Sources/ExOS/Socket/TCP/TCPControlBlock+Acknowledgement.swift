// The ACK field of an arriving segment (RFC 9293 §3.10.7.4 "fifth"): RFC 5961 §5's bounds on
// acceptable ACKs, freeing acknowledged bytes, RTT samples (timestamps, else Karn-timed
// segments), the send window update, duplicate ACKs and NewReno fast recovery (RFC 5681,
// RFC 6582) with SACK information (RFC 2018, RFC 6675), and the close states the ACK of our
// FIN moves.

import ExoPacket

extension TCPControlBlock {
    /// Processes the ACK; nil when the segment must be dropped after an ACK of ours.
    mutating func receiveAcknowledgement(
        _ segment: TCPRepr, payloadLength: Int, now: Instant, counters: inout StackCounters
    ) -> TCPOutcome? {
        let ack = segment.acknowledgementNumber
        if ack.isAfter(sendMaximum) {
            // Acknowledges something never sent.
            counters.count(.tcpBadAck)
            ackNow = true
            return nil
        }
        if ack.isBefore(sendUnacknowledged - max(largestSendWindow, maximumSegment)) {
            // RFC 5961 §5.2: too old to be from this connection's peer.
            _ = challenge(now: now, counters: &counters)
            return nil
        }
        var newlySACKed = 0
        if sackEnabled {
            for block in segment.options.sackBlocks {
                newlySACKed += scoreboard.add(
                    start: block.start, end: block.end, unacknowledged: sendUnacknowledged, highestSent: sendMaximum)
            }
        }
        var outcome: TCPOutcome = []
        if newlySACKed > 0, let probe = tailProbeStart, scoreboard.isSACKed(probe), probe.isAfter(sendUnacknowledged) {
            // The tail loss probe arrived: everything un-SACKed sent before it is lost (RACK).
            lostBelow = probe
        }
        if ack.isAfter(sendUnacknowledged) {
            outcome.formUnion(acknowledge(upTo: ack, segment, now: now, counters: &counters))
        } else if ack == sendUnacknowledged, payloadLength == 0,
            !segment.flags.contains(.syn), !segment.flags.contains(.fin), sendMaximum.isAfter(sendUnacknowledged),
            newlySACKed > 0 || Int(segment.window) << Int(sendScale) == sendWindow
        {
            // A duplicate ACK (RFC 5681 §2); one that brings new SACK information counts even
            // if the window moved (the receiver's application read meanwhile).
            outcome.formUnion(duplicateAcknowledgement(newlySACKed: newlySACKed, now: now, counters: &counters))
        }
        outcome.formUnion(detectLostRetransmissions(counters: &counters))
        let windowBefore = sendWindow
        if updateWindow(segment, scaled: true), sendWindow > windowBefore { outcome.insert(.transmit) }
        updatePersistTimer(now: now)
        outcome.formUnion(finAcknowledgementTransitions(now: now))
        return outcome
    }

    /// New data (or our SYN or FIN) acknowledged.
    private mutating func acknowledge(upTo ack: TCPSequenceNumber, _ segment: TCPRepr, now: Instant, counters: inout StackCounters)
        -> TCPOutcome
    {
        let acknowledged = ack - sendUnacknowledged
        let flightBefore = bytesInFlight
        let freed = min(max(ack - sendBase, 0), sendBuffer.count)
        sendBuffer.discard(freed)
        sendBase += freed
        sendUnacknowledged = ack
        if sendNext.isBefore(ack) { sendNext = ack }
        scoreboard.acknowledge(upTo: ack)
        sampleRTT(segment, acknowledged: ack, now: now)
        retransmissions = 0
        tailProbeStart = nil
        if let lost = lostBelow, !lost.isAfter(ack) { lostBelow = nil }
        if let recover = timeoutRecover, ack.isAfter(recover) { timeoutRecover = nil }
        var outcome: TCPOutcome = freed > 0 ? .writable : []
        if let recover = recoveryPoint {
            if !ack.isBefore(recover) {
                // Full acknowledgement: recovery ends (RFC 6582 §3.2 step 3).
                recoveryPoint = nil
                recoveryInflation = 0
                retransmitMark = nil
                congestion.onExitRecovery(now: now)
            } else {
                // Partial acknowledgement: the next hole is lost too (RFC 6582 step 5). With
                // SACK, NextSeg finds it (and does not resend a hole already resent).
                recoveryInflation = max(recoveryInflation - acknowledged, 0) + maximumSegment
                if !sackEnabled || !highestRetransmitted.isAfter(ack) { retransmitFirst = true }
                retransmitDeadline = now + rtt.timeout
                outcome.insert(.transmit)
            }
        } else if freed > 0 {
            congestion.onAcknowledged(bytes: freed, inFlight: flightBefore, rtt: rtt.smoothedRTT, now: now)
        }
        duplicateAcks = 0
        if sendMaximum == sendUnacknowledged {
            retransmitDeadline = nil
        } else if recoveryPoint == nil {
            retransmitDeadline = now + rtt.timeout
        }
        armTailLossProbe(now: now)
        if freed > 0 || bytesInFlight < flightBefore { outcome.insert(.transmit) }
        return outcome
    }

    /// A duplicate ACK (RFC 5681 §2): three start fast retransmit and recovery; more inflate
    /// the window by one segment each while recovering (RFC 6582 step 4).
    private mutating func duplicateAcknowledgement(newlySACKed: Int, now: Instant, counters: inout StackCounters)
        -> TCPOutcome
    {
        duplicateAcks += 1
        if inRecovery {
            recoveryInflation += maximumSegment
            return .transmit
        }
        if let recover = timeoutRecover, newlySACKed == 0, !sendUnacknowledged.isAfter(recover) {
            // RFC 6582 §4.1: duplicates of the go-back-N resends, not a new loss.
            return []
        }
        let lostByRACK = lostBelow.map { $0.isAfter(sendUnacknowledged) } ?? false
        let lostBySACK =
            sackEnabled && (lostByRACK || scoreboard.isLost(sendUnacknowledged, maximumSegmentSize: maximumSegment))
        guard duplicateAcks >= 3 || lostBySACK else { return [] }
        if lostByRACK { counters.tcp.rackRecoveries &+= 1 }
        return enterRecovery(now: now, counters: &counters)
    }

    /// Fast retransmit and the start of fast recovery (RFC 5681 §3.2, RFC 6675 §5).
    mutating func enterRecovery(now: Instant, counters: inout StackCounters) -> TCPOutcome {
        counters.tcp.fastRetransmits &+= 1
        tailProbeDeadline = nil
        tailProbeNow = false
        recoveryPoint = sendMaximum
        congestion.onEnterRecovery(inFlight: bytesInFlight, now: now)
        recoveryInflation = 3 * maximumSegment
        highestRetransmitted = sendUnacknowledged
        retransmitFirst = true
        rttProbe = nil
        return .transmit
    }

    /// Retransmissions are lost too when the peer SACKed more than DupThresh − 1 segments
    /// of data sent after the latest of them (RACK's rule, RFC 8985 §6.2, in sequence
    /// order): NextSeg starts over from SND.UNA, and those holes count as lost.
    private mutating func detectLostRetransmissions(counters: inout StackCounters) -> TCPOutcome {
        guard inRecovery, sackEnabled, let mark = retransmitMark, highestRetransmitted.isAfter(sendUnacknowledged),
            let highest = scoreboard.highestSACKed,
            highest - mark > (SACKScoreboard.duplicateThreshold - 1) * maximumSegment
        else { return [] }
        if let lost = lostBelow, lost.isAfter(highestRetransmitted) {} else { lostBelow = highestRetransmitted }
        highestRetransmitted = sendUnacknowledged
        retransmitMark = nil
        counters.tcp.lostRetransmissions &+= 1
        return .transmit
    }

    /// RFC 9293's window update rule: only a segment newer than the one that last set the
    /// window may change it. Returns true when it did.
    @discardableResult
    mutating func updateWindow(_ segment: TCPRepr, scaled: Bool) -> Bool {
        let sequence = segment.sequenceNumber
        let ack = segment.acknowledgementNumber
        let newer =
            sendWindowSequence.isBefore(sequence)
            || (sendWindowSequence == sequence && !ack.isBefore(sendWindowAcknowledgement))
        guard newer || state == .synSent else { return false }
        sendWindow = Int(segment.window) << Int(scaled ? sendScale : 0)
        sendWindowSequence = sequence
        sendWindowAcknowledgement = ack
        largestSendWindow = max(largestSendWindow, sendWindow)
        return true
    }

    /// An RTT sample from the echoed timestamp, else from the Karn-timed segment.
    mutating func sampleRTT(_ segment: TCPRepr, acknowledged ack: TCPSequenceNumber, now: Instant) {
        if timestampsEnabled, let timestamps = segment.options.timestamps, timestamps.echoReply != 0 {
            let elapsed = timestampClock(now) &- timestamps.echoReply
            // A wild echo (a peer's bug or a forgery) must not poison the estimator.
            if elapsed < 60_000 { rtt.addSample(.milliseconds(UInt64(max(elapsed, 1)))) }
            return
        }
        if let probe = rttProbe, ack.isAfter(probe.sequence) {
            rtt.addSample(now - probe.sentAt)
            rttProbe = nil
        }
    }

    /// The close states that the acknowledgement of our FIN moves on (RFC 9293 §3.10.7.4).
    private mutating func finAcknowledgementTransitions(now: Instant) -> TCPOutcome {
        guard finAcknowledged else { return [] }
        switch state {
        case .finWait1:
            state = .finWait2
        case .closing:
            enterTimeWait(now: now)
        case .lastAck:
            state = .closed
            return .closed
        default:
            break
        }
        return []
    }

    /// Starts TIME_WAIT's 2·MSL (RFC 9293 §3.6); nothing is sent or retransmitted in it.
    mutating func enterTimeWait(now: Instant) {
        state = .timeWait
        retransmitDeadline = nil
        persistDeadline = nil
        keepAliveDeadline = nil
        timeWaitDeadline = now + limits.tcpTimeWait
    }

    /// Runs the persist timer while the peer's window holds back data and nothing is in
    /// flight to bring a window update (RFC 9293 §3.8.6.1): a zero window, or one too small
    /// for the sender's silly window avoidance to use.
    mutating func updatePersistTimer(now: Instant) {
        let unsent = sendBuffer.count - (sendNext - sendBase)
        let usable = sendWindow - bytesInFlight
        if usable < min(unsent, maximumSegment), usable == 0 || largestSendWindow / 2 > usable, unsent > 0,
            bytesInFlight == 0,
            state.isSynchronized
        {
            if persistDeadline == nil { persistDeadline = now + rtt.timeout.doubled(persistBackOff) }
        } else {
            persistDeadline = nil
            persistBackOff = 0
        }
    }
}
