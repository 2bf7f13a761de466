// A connection's timers, all through one `nextTimer` value the stack keeps in its deadline
// heap: the delayed ACK, retransmission with back-off (RFC 6298 §5), the persist timer's
// window probes, keep-alive probes (RFC 1122 §4.2.3.6) and TIME_WAIT's 2·MSL.

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
            fail(.timedOut)
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
        // RFC 2018 §8: after a timeout the receiver may have discarded SACKed data.
        scoreboard.removeAll()
        sendNext = sendUnacknowledged
        return .transmit
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
        persistDeadline = nil
        keepAliveDeadline = nil
        timeWaitDeadline = nil
        ackDeadline = nil
    }
}
