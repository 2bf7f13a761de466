// What a connection sends next, one segment per call: a reset it owes, its SYN or SYN-ACK, a
// retransmission, a tail loss probe, a window or keep-alive probe, new data (the sender
// chooses these), or the ACK it owes; and the connection's timers. The receiving half stamps
// every segment with the ACK, the window and SACK blocks; the stack copies the payload from
// the send ring into the device's frame.

import ExoPacket

/// One segment to send: its header, and where its payload lies in the send buffer.
struct TCPSegmentPlan {
    var header: TCPRepr
    /// Offset of the first payload byte from the send buffer's head.
    var bufferOffset: Int
}

extension TCPControlBlock {
    /// The next segment to send at `now`, or nil when nothing is owed.
    mutating func nextSegment(now: Instant, counters: inout StackCounters) -> TCPSegmentPlan? {
        if resetPending {
            resetPending = false
            counters.tcp.resetsSent &+= 1
            let reset = controlSegment(sequence: sender.space.next, flags: .rst, now: now)
            state = .closed
            return reset
        }
        switch state {
        case .closed: return nil
        case .synSent: return sender.space.synPending ? synSegment(now: now) : nil
        case .synReceived: return sender.space.synPending ? synSegment(now: now) : owedAcknowledgement(now: now)
        case .timeWait: return owedAcknowledgement(now: now)
        default: break
        }
        let options = receiver.segmentOptions(flags: .ack, agreed, now: now)
        let room = options.encodedLength
        // RFC 6675 NextSeg: lost holes first (rule 1), then new data (rule 2), then holes not
        // yet deemed lost (rule 3) only when there is no new data to send.
        if let choice = sender.retransmission(onlyLost: true, agreed, optionsLength: room, now: now, counters: &counters)
            ?? sender.tailLossProbe(agreed, optionsLength: room, now: now, counters: &counters)
        {
            return receiver.stamp(choice, options: options, ports: (local.port, remote.port), synSent: state == .synSent)
        }
        if sender.persist.probeOwed || keepAlive.probeOwed {
            // A segment just below SND.UNA: out of window for the peer, which answers with
            // an ACK carrying its current window (as Linux probes).
            sender.persist.probeOwed = false
            keepAlive.probeOwed = false
            return controlSegment(sequence: sender.space.unacknowledged - 1, flags: [], now: now)
        }
        if let choice = sender.newData(agreed, optionsLength: room, now: now, counters: &counters)
            ?? sender.retransmission(onlyLost: false, agreed, optionsLength: room, now: now, counters: &counters)
        {
            return receiver.stamp(choice, options: options, ports: (local.port, remote.port), synSent: state == .synSent)
        }
        return owedAcknowledgement(now: now)
    }

    /// Our SYN (SYN-SENT) or SYN-ACK (SYN-RECEIVED), with the options to negotiate.
    private mutating func synSegment(now: Instant) -> TCPSegmentPlan {
        let active = state == .synSent
        let options = agreed.synOptions(
            active: active, offeredSegment: receiver.offeredSegment, receiveScale: receiver.scale, now: now)
        let choice = sender.synchronizing(acknowledging: !active, optionsLength: options.encodedLength, now: now)
        return receiver.stamp(choice, options: options, ports: (local.port, remote.port), synSent: state == .synSent)
    }

    /// The ACK we owe, now or (delayed) once its deadline passed.
    private mutating func owedAcknowledgement(now: Instant) -> TCPSegmentPlan? {
        guard receiver.acknowledgements.isDue(now: now) else { return nil }
        return controlSegment(sequence: sender.space.next, flags: [], now: now)
    }

    /// A segment without payload (a reset, a probe, an ACK).
    private mutating func controlSegment(sequence: TCPSequenceNumber, flags: TCPFlags, now: Instant) -> TCPSegmentPlan {
        let acknowledging = state == .synSent ? flags.subtracting(.ack) : flags.union(.ack)
        let options = receiver.segmentOptions(flags: acknowledging, agreed, now: now)
        let choice = sender.emit(sequence: sequence, flags: flags, optionsLength: options.encodedLength, now: now)
        return receiver.stamp(choice, options: options, ports: (local.port, remote.port), synSent: state == .synSent)
    }

    /// Runs every timer due at `now`: the delayed ACK, retransmission (RFC 6298 §5), the tail
    /// loss probe, the persist and keep-alive probes, TIME_WAIT's end, and the end of the
    /// wait in FIN_WAIT_2 of a connection the application closed.
    mutating func runTimers(now: Instant, counters: inout StackCounters) -> TCPOutcome {
        var outcome: TCPOutcome = []
        if receiver.acknowledgements.fireIfDue(now: now) { outcome.insert(.transmit) }
        if let deadline = sender.timers.retransmitDeadline, deadline <= now {
            let synchronizing = state == .synSent || state == .synReceived
            let resend = sender.timers.retransmissionTimeout(
                synchronizing: synchronizing, limit: synchronizing ? limits.tcpSynRetries : limits.tcpRetries,
                space: &sender.space, recovery: &sender.recovery, now: now, counters: &counters)
            guard resend else {
                fail(softError.map { .unreachable($0) } ?? .timedOut)
                return outcome.union([.closed, .readable, .writable])
            }
            outcome.insert(.transmit)
        }
        if let deadline = sender.timers.tailProbeDeadline, deadline <= now,
            sender.timers.tailProbeTimeout(
                sackEnabled: agreed.sackEnabled, open: state.isSynchronized && state != .timeWait,
                space: &sender.space, recovery: &sender.recovery, maximumSegment: sender.maximumSegment, now: now,
                counters: &counters)
        {
            outcome.insert(.transmit)
        }
        if let deadline = sender.persist.deadline, deadline <= now {
            // Closed by the application, its window kept shut: dropped, no reset (tcp_orphan_retries).
            if orphaned, sender.persist.probesSent >= limits.tcpOrphanProbes {
                counters.tcp.orphansDropped &+= 1
                fail(.timedOut)
                return outcome.union([.closed, .readable, .writable])
            }
            sender.persist.fire(timeout: sender.timers.timeout, now: now)
            counters.tcp.windowProbes &+= 1
            outcome.insert(.transmit)
        }
        if let deadline = keepAlive.deadline, deadline <= now, let settings = options.keepAlive {
            guard keepAlive.fire(settings, now: now) else {
                fail(.timedOut)
                return [.closed, .readable, .writable]
            }
            outcome.insert(.transmit)
        }
        if let deadline = timeWaitDeadline, deadline <= now {
            timeWaitDeadline = nil
            state = .closed
            outcome.insert(.closed)
        }
        if let deadline = orphanDeadline, deadline <= now {
            orphanDeadline = nil
            if state == .finWait2 {
                // Dropped without a reset, as Linux does: the peer half-closed nothing.
                state = .closed
                outcome.insert(.closed)
            }
        }
        return outcome
    }
}
