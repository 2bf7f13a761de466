// A connection's timers, all through one `nextTimer` value the stack keeps in its deadline
// heap: the delayed ACK, retransmission with back-off (RFC 6298 §5), the persist timer's
// window probes, keep-alive probes (RFC 1122 §4.2.3.6), TIME_WAIT's 2·MSL, and how long a
// connection the application closed may wait in FIN_WAIT_2.

extension TCPControlBlock {
    /// Runs every timer due at `now`.
    mutating func runTimers(now: Instant, counters: inout StackCounters) -> TCPOutcome {
        var outcome: TCPOutcome = []
        if let deadline = ackDeadline, deadline <= now {
            ackDeadline = nil
            ackNow = ackNow || ackPending
            outcome.insert(.transmit)
        }
        if let deadline = retransmitDeadline, deadline <= now {
            outcome.formUnion(retransmissionTimeout(now: now, counters: &counters))
            if state == .closed { return outcome }
        }
        if let deadline = tailProbeDeadline, deadline <= now {
            tailProbeDeadline = nil
            outcome.formUnion(tailProbeTimeout(now: now, counters: &counters))
        }
        if let deadline = persistDeadline, deadline <= now {
            persistBackOff = min(persistBackOff + 1, 12)
            persistDeadline = now + min(rtt.timeout.doubled(persistBackOff), .seconds(60))
            probeNow = true
            counters.tcp.windowProbes &+= 1
            outcome.insert(.transmit)
        }
        if let deadline = keepAliveDeadline, deadline <= now, let keepAlive = options.keepAlive {
            if keepAliveProbesSent >= keepAlive.probes {
                fail(.timedOut)
                return [.closed, .readable, .writable]
            }
            keepAliveProbesSent += 1
            keepAliveDeadline = now + keepAlive.interval
            keepAliveNow = true
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

    /// RFC 6298 §5.4-5.6: back off, resend from SND.UNA (go-back-N: what the peer holds
    /// past a hole is resent unless SACK says otherwise), collapse the congestion window.
    private mutating func retransmissionTimeout(now: Instant, counters: inout StackCounters) -> TCPOutcome {
        retransmitDeadline = nil
        retransmissions += 1
        let synchronizing = state == .synSent || state == .synReceived
        let limit = synchronizing ? limits.tcpSynRetries : limits.tcpRetries
        guard retransmissions <= limit else {
            counters.tcp.timeouts &+= 1
            fail(softError.map { .unreachable($0) } ?? .timedOut)
            return [.closed, .readable, .writable]
        }
        counters.tcp.retransmissionTimeouts &+= 1
        rtt.backOff()
        rttProbe = nil
        if synchronizing {
            synPending = true
            return .transmit
        }
        congestion.onRetransmissionTimeout(inFlight: bytesInFlight, now: now)
        recoveryPoint = nil
        recoveryInflation = 0
        duplicateAcks = 0
        retransmitFirst = false
        lostBelow = nil
        retransmitMark = nil
        tailProbeDeadline = nil
        tailProbeNow = false
        tailProbeStart = nil
        timeoutRecover = sendMaximum
        highestRetransmitted = sendUnacknowledged
        // RFC 2018 §8: the receiver may have discarded SACKed data (reneged). The first
        // timeout trusts the scoreboard (go-back-N skips what it holds); a second in a row
        // forgets it and resends everything.
        if retransmissions > 1 { scoreboard.removeAll() }
        sendNext = sendUnacknowledged
        return .transmit
    }

    /// The tail loss probe's timer (RFC 8985 §7.3). Nothing was sent or acknowledged for
    /// two smoothed RTTs: every byte in flight went out at least that long ago. If the peer
    /// SACKed some of it, RACK's rule (a segment sent before one delivered, and longer ago
    /// than an RTT plus the reordering window, is lost) marks every hole below the highest
    /// SACKed byte lost and recovery starts; otherwise a probe goes out.
    private mutating func tailProbeTimeout(now: Instant, counters: inout StackCounters) -> TCPOutcome {
        guard !inRecovery, state.isSynchronized, state != .timeWait, sendMaximum.isAfter(sendUnacknowledged) else {
            return []
        }
        if sackEnabled, let highest = scoreboard.highestSACKed, highest.isAfter(sendUnacknowledged) {
            lostBelow = highest
            counters.tcp.rackRecoveries &+= 1
            return enterRecovery(now: now, counters: &counters)
        }
        tailProbeNow = true
        counters.tcp.tailLossProbes &+= 1
        // RFC 8985 §7.3: the RTO restarts after the probe.
        retransmitDeadline = now + rtt.timeout
        return .transmit
    }

    /// Arms the tail loss probe (RFC 8985 §7.2) at PTO = 2·SRTT (plus the worst-case delayed
    /// ACK when one segment is in flight), while data is in flight outside recovery and the
    /// probe would come before the retransmission timer.
    mutating func armTailLossProbe(now: Instant) {
        tailProbeDeadline = nil
        // Not while a timeout's back-off runs: that is loss recovery of its own.
        guard sackEnabled, !inRecovery, retransmissions == 0, tailProbeStart == nil, sendNext == sendMaximum,
            sendMaximum.isAfter(sendUnacknowledged), state.isSynchronized, state != .timeWait,
            let smoothed = rtt.smoothedRTT
        else { return }
        var timeout = max(smoothed.doubled(1), .milliseconds(2))
        if bytesInFlight <= maximumSegment { timeout = timeout + .milliseconds(200) }
        let deadline = now + timeout
        if let retransmit = retransmitDeadline, deadline >= retransmit { return }
        tailProbeDeadline = deadline
    }

    /// Keeps the keep-alive timer at idle time after the last segment received, while the
    /// connection is open and idle.
    mutating func updateKeepAlive() {
        guard let keepAlive = options.keepAlive, state == .established || state == .closeWait else {
            keepAliveDeadline = nil
            return
        }
        if keepAliveProbesSent == 0 { keepAliveDeadline = lastReceived + keepAlive.idle }
    }

    /// Ends the connection with `error`: nothing more is sent.
    mutating func fail(_ failure: TCPError) {
        error = failure
        state = .closed
        retransmitDeadline = nil
        tailProbeDeadline = nil
        persistDeadline = nil
        keepAliveDeadline = nil
        timeWaitDeadline = nil
        ackDeadline = nil
    }
}
