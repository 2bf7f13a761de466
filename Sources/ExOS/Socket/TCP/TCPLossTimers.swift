// The timers that detect loss when ACKs alone cannot (RFC 6298 §5, RFC 8985 §7; Linux runs
// both on one timer): the retransmission timer, with the round-trip estimator that sets it
// (samples from echoed timestamps, else from one Karn-timed segment) and the timeouts in a
// row that back it off and, past a limit, end the connection; and the tail loss probe.

import ExoPacket

struct TCPLossTimers {
    var estimator: RTTEstimator
    /// When the oldest unacknowledged segment is resent; nil: not running.
    var retransmitDeadline: Instant?
    /// Timeouts in a row without progress.
    private(set) var timeoutsInARow = 0
    /// The tail loss probe's timer, a probe owed, and where the outstanding probe starts
    /// (one per episode, until SND.UNA advances).
    var tailProbeDeadline: Instant?
    var tailProbeOwed = false
    var tailProbeStart: TCPSequenceNumber?

    init(limits: StackLimits) {
        estimator = RTTEstimator(initialTimeout: limits.tcpInitialTimeout, minimumTimeout: limits.tcpMinimumTimeout)
    }

    /// The current RTO, back-off included.
    @inline(__always) var timeout: Interval { estimator.timeout }

    /// Starts the retransmission timer unless it runs (sequence space was sent).
    mutating func startIfStopped(now: Instant) {
        if retransmitDeadline == nil { retransmitDeadline = now + timeout }
    }

    /// Restarts the retransmission timer from `now`.
    mutating func restart(now: Instant) { retransmitDeadline = now + timeout }

    /// SND.UNA advanced: the timeouts in a row end, the next tail loss probe may go.
    mutating func progressed() {
        timeoutsInARow = 0
        tailProbeStart = nil
    }

    /// An RTT sample from an ACK up to `ack`: from its echoed timestamp when timestamps are
    /// in use (`timestampNow`: our timestamp clock now), else from the Karn-timed segment.
    mutating func sample(_ segment: TCPRepr, acknowledged ack: TCPSequenceNumber, timestampNow: UInt32?, now: Instant) {
        if let timestampNow, let timestamps = segment.options.timestamps, timestamps.echoReply != 0 {
            let elapsed = timestampNow &- timestamps.echoReply
            // A wild echo (a peer's bug or a forgery) must not poison the estimator.
            if elapsed < 60_000 { estimator.addSample(.milliseconds(UInt64(max(elapsed, 1)))) }
            return
        }
        estimator.sampleTimedSegment(acknowledged: ack, now: now)
    }

    /// Fast retransmit and the start of fast recovery (RFC 5681 §3.2, RFC 6675 §5): no
    /// probe, and no segment timed (Karn) while it lasts.
    mutating func startFastRecovery(
        _ recovery: inout TCPLossRecovery, space: inout TCPSendSpace, maximumSegment: Int, now: Instant,
        counters: inout StackCounters
    ) {
        counters.tcp.fastRetransmits &+= 1
        tailProbeDeadline = nil
        tailProbeOwed = false
        recovery.enter(
            highestSent: space.maximum, unacknowledged: space.unacknowledged, inFlight: space.bytesInFlight,
            maximumSegment: maximumSegment, now: now)
        estimator.cancelTiming()
    }

    /// The retransmission timer fired (RFC 6298 §5.4-5.6): false when the connection gives up
    /// after `limit` timeouts in a row; otherwise resend from SND.UNA: the SYN while
    /// `synchronizing`, else go-back-N (skipping what SACK says the peer holds) with the
    /// congestion window collapsed and recovery over.
    mutating func retransmissionTimeout(
        synchronizing: Bool, limit: Int, space: inout TCPSendSpace, recovery: inout TCPLossRecovery, now: Instant,
        counters: inout StackCounters
    ) -> Bool {
        retransmitDeadline = nil
        timeoutsInARow += 1
        guard timeoutsInARow <= limit else {
            counters.tcp.timeouts &+= 1
            return false
        }
        counters.tcp.retransmissionTimeouts &+= 1
        estimator.backOff()
        estimator.cancelTiming()
        guard !synchronizing else {
            space.synPending = true
            return true
        }
        recovery.timedOut(
            unacknowledged: space.unacknowledged, highestSent: space.maximum, inFlight: space.bytesInFlight,
            timeoutsInARow: timeoutsInARow, now: now)
        tailProbeDeadline = nil
        tailProbeOwed = false
        tailProbeStart = nil
        space.next = space.unacknowledged
        return true
    }

    /// The tail loss probe's timer fired (RFC 8985 §7.3) on an `open` connection: every byte
    /// in flight left at least two SRTTs ago. If the peer SACKed some of it, RACK's rule marks
    /// every hole below the highest SACKed byte lost and recovery starts; otherwise a probe is
    /// owed and the RTO restarts after it. True when something is to be sent.
    mutating func tailProbeTimeout(
        sackEnabled: Bool, open: Bool, space: inout TCPSendSpace, recovery: inout TCPLossRecovery,
        maximumSegment: Int, now: Instant, counters: inout StackCounters
    ) -> Bool {
        tailProbeDeadline = nil
        guard !recovery.inRecovery, open, space.hasOutstanding else { return false }
        if sackEnabled, let highest = recovery.scoreboard.highestSACKed, highest.isAfter(space.unacknowledged) {
            recovery.lostBelow = highest
            counters.tcp.rackRecoveries &+= 1
            startFastRecovery(&recovery, space: &space, maximumSegment: maximumSegment, now: now, counters: &counters)
            return true
        }
        counters.tcp.tailLossProbes &+= 1
        tailProbeOwed = true
        restart(now: now)
        return true
    }

    /// Arms the tail loss probe (RFC 8985 §7.2), when `eligible` (data in flight, all of it
    /// sent once, outside recovery, with SACK on an open connection) and no timeout's
    /// back-off runs (that is loss recovery of its own): PTO = 2·SRTT, at least 2 ms, plus
    /// the worst-case delayed ACK when one segment or less is in flight, if that comes
    /// before the RTO.
    mutating func armTailLossProbe(eligible: Bool, bytesInFlight: Int, maximumSegment: Int, now: Instant) {
        tailProbeDeadline = nil
        guard eligible, timeoutsInARow == 0, tailProbeStart == nil, let smoothed = estimator.smoothedRTT else { return }
        var timeout = max(smoothed.doubled(1), .milliseconds(2))
        if bytesInFlight <= maximumSegment { timeout = timeout + .milliseconds(200) }
        let deadline = now + timeout
        if let retransmit = retransmitDeadline, deadline >= retransmit { return }
        tailProbeDeadline = deadline
    }
}
