// What the sender learns from the ACK field of an arriving segment (RFC 9293 §3.10.7.4
// "fifth"): RFC 5961 §5's bounds, the bytes freed, an RTT sample, the send window, duplicate
// ACKs and fast recovery.

import ExoPacket

extension TCPSender {
    /// What an ACK was: of something never sent (dropped, an ACK owed), older than SND.UNA
    /// minus the largest window (RFC 5961 §5.2: not the peer's), or taken.
    enum AcknowledgementVerdict {
        case unsent, tooOld
        case taken(TCPOutcome)
    }

    /// Takes the ACK of `segment` on a connection in `state` (synchronized).
    mutating func receiveAcknowledgement(
        _ segment: TCPRepr, payloadLength: Int, state: TCPState, _ agreed: TCPNegotiatedOptions, now: Instant,
        counters: inout StackCounters
    ) -> AcknowledgementVerdict {
        let ack = segment.acknowledgementNumber
        let unacknowledged = space.unacknowledged
        if ack.isAfter(space.maximum) { return .unsent }
        if ack.isBefore(unacknowledged - max(space.largestWindow, maximumSegment)) { return .tooOld }
        let newlySACKed =
            agreed.sackEnabled
            ? recovery.takeSACKBlocks(
                of: segment, unacknowledged: unacknowledged, highestSent: space.maximum, probe: timers.tailProbeStart)
            : 0
        var outcome: TCPOutcome = []
        if ack.isAfter(unacknowledged) {
            outcome = acknowledge(upTo: ack, segment, agreed, open: state.isSynchronized && state != .timeWait, now: now)
        } else if ack == unacknowledged, payloadLength == 0, !segment.flags.contains(.syn),
            !segment.flags.contains(.fin), space.hasOutstanding,
            newlySACKed > 0 || Int(segment.window) << Int(agreed.sendScale) == space.window
        {
            // A duplicate ACK (RFC 5681 §2); one that brings new SACK information counts even
            // if the window moved (the receiver's application read meanwhile).
            switch recovery.duplicateAcknowledgement(
                newlySACKed: newlySACKed, unacknowledged: unacknowledged, sackEnabled: agreed.sackEnabled,
                maximumSegment: maximumSegment)
            {
            case .inflated: outcome.insert(.transmit)
            case .ignored: break
            case .lost(let byRACK):
                if byRACK { counters.tcp.rackRecoveries &+= 1 }
                timers.startFastRecovery(
                    &recovery, space: &space, maximumSegment: maximumSegment, now: now, counters: &counters)
                outcome.insert(.transmit)
            }
        }
        if recovery.detectLostRetransmissions(
            unacknowledged: space.unacknowledged, sackEnabled: agreed.sackEnabled, maximumSegment: maximumSegment)
        {
            counters.tcp.lostRetransmissions &+= 1
            outcome.insert(.transmit)
        }
        let windowBefore = space.window
        if space.updateWindow(segment, shift: agreed.sendScale), space.window > windowBefore { outcome.insert(.transmit) }
        updatePersistTimer(synchronized: state.isSynchronized, now: now)
        return .taken(outcome)
    }

    /// New data (or our SYN or FIN) acknowledged.
    private mutating func acknowledge(
        upTo ack: TCPSequenceNumber, _ segment: TCPRepr, _ agreed: TCPNegotiatedOptions, open: Bool, now: Instant
    ) -> TCPOutcome {
        let acknowledged = ack - space.unacknowledged
        let flightBefore = space.bytesInFlight
        let freed = space.acknowledge(upTo: ack)
        let timestampNow = agreed.timestampsEnabled ? agreed.timestampClock(now) : nil
        timers.sample(segment, acknowledged: ack, timestampNow: timestampNow, now: now)
        timers.progressed()
        var outcome: TCPOutcome = freed > 0 ? .writable : []
        let partial = recovery.acknowledged(
            upTo: ack, by: acknowledged, freed: freed, flightBefore: flightBefore,
            smoothedRTT: timers.estimator.smoothedRTT, sackEnabled: agreed.sackEnabled, maximumSegment: maximumSegment,
            now: now)
        if partial {
            timers.restart(now: now)
            outcome.insert(.transmit)
        }
        if space.maximum == space.unacknowledged {
            timers.retransmitDeadline = nil
        } else if !recovery.inRecovery {
            timers.restart(now: now)
        }
        armTailLossProbe(agreed, open: open, now: now)
        if freed > 0 || space.bytesInFlight < flightBefore { outcome.insert(.transmit) }
        return outcome
    }
}
