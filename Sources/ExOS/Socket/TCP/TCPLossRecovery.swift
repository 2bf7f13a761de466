// A sender's congestion state: the congestion control's window, and loss recovery around it:
// what the peer SACKed (the scoreboard), duplicate ACKs, fast recovery (RFC 5681; RFC 6582's
// "recover" and window inflation; RFC 6675's HighRxt, pipe and NextSeg) and RACK's marking
// in sequence order (RFC 8985): which holes are lost, and when retransmissions were lost too.
// It decides what is lost, what to resend next and how much new data the window allows; the
// sender (`TCPSender`) sends and runs the timers. (Linux's congestion state machine, Open /
// Recovery / Loss, is the same knot of window and recovery.)

import ExoPacket

struct TCPLossRecovery {
    /// The congestion window's algorithm (CUBIC or NewReno), told of every ACK and loss.
    var congestion: CongestionController
    /// What the peer SACKed above SND.UNA (RFC 6675).
    private(set) var scoreboard: SACKScoreboard
    /// Duplicate ACKs in a row (RFC 5681 §2).
    private var duplicateAcks = 0
    /// In fast recovery until SND.UNA passes this (RFC 6582's "recover").
    private(set) var recoveryPoint: TCPSequenceNumber?
    /// Window inflation during NewReno recovery (RFC 6582 step 4), bytes.
    private(set) var inflation = 0
    /// Highest number retransmitted in this recovery (RFC 6675 HighRxt).
    private(set) var highestRetransmitted = TCPSequenceNumber(0)
    /// Retransmit the segment at SND.UNA on the next turn (fast retransmit, partial ACK, or
    /// a lower path MTU).
    var retransmitFirst = false
    /// RACK's time-based loss marking (RFC 8985) in sequence order: every un-SACKed byte
    /// below this was sent long enough before data the peer has since received to be lost.
    var lostBelow: TCPSequenceNumber?
    /// SND.MAX when the latest retransmission went out: data sent after it being SACKed
    /// (beyond DupThresh segments of reordering) means the retransmissions were lost too.
    private var retransmitMark: TCPSequenceNumber?
    /// RFC 6582's "recover" after a timeout: duplicate ACKs without new SACK information do
    /// not start fast retransmit until SND.UNA passes it (they echo the go-back-N resends).
    private var timeoutRecover: TCPSequenceNumber?

    init(_ algorithm: CongestionAlgorithm, maximumSegment: Int, maximumSACKRanges: Int, now: Instant) {
        congestion = CongestionController(algorithm, maximumSegmentSize: maximumSegment, now: now)
        scoreboard = SACKScoreboard(maximumRanges: maximumSACKRanges)
    }

    /// In fast recovery.
    @inline(__always) var inRecovery: Bool { recoveryPoint != nil }

    /// Records the SACK blocks of an ACK; returns how many bytes they newly SACKed. When they
    /// SACK the tail loss probe (which starts at `probe`), everything un-SACKed sent before it
    /// is lost (RACK).
    mutating func takeSACKBlocks(
        of segment: TCPRepr, unacknowledged: TCPSequenceNumber, highestSent: TCPSequenceNumber,
        probe: TCPSequenceNumber?
    ) -> Int {
        var newlySACKed = 0
        for block in segment.options.sackBlocks {
            newlySACKed += scoreboard.add(
                start: block.start, end: block.end, unacknowledged: unacknowledged, highestSent: highestSent)
        }
        if newlySACKed > 0, let probe, scoreboard.isSACKed(probe), probe.isAfter(unacknowledged) { lostBelow = probe }
        return newlySACKed
    }

    /// SND.UNA advanced to `ack` by `acknowledged` numbers, `freed` of them bytes of the
    /// ring, with `flightBefore` in flight before. Returns true on a partial ACK in recovery
    /// (RFC 6582 step 5: the next hole goes, the retransmission timer restarts).
    mutating func acknowledged(
        upTo ack: TCPSequenceNumber, by acknowledged: Int, freed: Int, flightBefore: Int, smoothedRTT: Interval?,
        sackEnabled: Bool, maximumSegment: Int, now: Instant
    ) -> Bool {
        scoreboard.acknowledge(upTo: ack)
        if let lost = lostBelow, !lost.isAfter(ack) { lostBelow = nil }
        if let recover = timeoutRecover, ack.isAfter(recover) { timeoutRecover = nil }
        duplicateAcks = 0
        guard let recover = recoveryPoint else {
            if freed > 0 { congestion.onAcknowledged(bytes: freed, inFlight: flightBefore, rtt: smoothedRTT, now: now) }
            return false
        }
        if !ack.isBefore(recover) {
            // Full acknowledgement: recovery ends (RFC 6582 §3.2 step 3).
            recoveryPoint = nil
            inflation = 0
            retransmitMark = nil
            congestion.onExitRecovery(now: now)
            return false
        }
        // With SACK, NextSeg finds the next hole (and does not resend one already resent).
        inflation = max(inflation - acknowledged, 0) + maximumSegment
        if !sackEnabled || !highestRetransmitted.isAfter(ack) { retransmitFirst = true }
        return true
    }

    /// What a duplicate ACK means.
    enum DuplicateVerdict {
        /// In recovery: the window inflates by a segment (RFC 6582 step 4).
        case inflated
        /// Not (yet) a loss.
        case ignored
        /// SND.UNA's segment is lost: fast retransmit (`byRACK`: RACK's marking said so).
        case lost(byRACK: Bool)
    }

    /// A duplicate ACK (RFC 5681 §2): the third, or SACK's IsLost (RFC 6675 §5), or RACK's
    /// marking, means SND.UNA's segment is lost.
    mutating func duplicateAcknowledgement(
        newlySACKed: Int, unacknowledged: TCPSequenceNumber, sackEnabled: Bool, maximumSegment: Int
    ) -> DuplicateVerdict {
        duplicateAcks += 1
        if inRecovery {
            inflation += maximumSegment
            return .inflated
        }
        if let recover = timeoutRecover, newlySACKed == 0, !unacknowledged.isAfter(recover) {
            // RFC 6582 §4.1: duplicates of the go-back-N resends, not a new loss.
            return .ignored
        }
        let lostByRACK = lostBelow.map { $0.isAfter(unacknowledged) } ?? false
        let lostBySACK =
            sackEnabled && (lostByRACK || scoreboard.isLost(unacknowledged, maximumSegmentSize: maximumSegment))
        guard duplicateAcks >= 3 || lostBySACK else { return .ignored }
        return .lost(byRACK: lostByRACK)
    }

    /// Starts fast recovery (RFC 5681 §3.2, RFC 6675 §5): until SND.MAX is acknowledged,
    /// SND.UNA's segment first.
    mutating func enter(
        highestSent: TCPSequenceNumber, unacknowledged: TCPSequenceNumber, inFlight: Int, maximumSegment: Int,
        now: Instant
    ) {
        recoveryPoint = highestSent
        congestion.onEnterRecovery(inFlight: inFlight, now: now)
        inflation = 3 * maximumSegment
        highestRetransmitted = unacknowledged
        retransmitFirst = true
    }

    /// Retransmissions are lost too when the peer SACKed more than DupThresh − 1 segments
    /// of data sent after the latest of them (RACK's rule, RFC 8985 §6.2, in sequence
    /// order): NextSeg starts over from SND.UNA, and those holes count as lost. True when so.
    mutating func detectLostRetransmissions(
        unacknowledged: TCPSequenceNumber, sackEnabled: Bool, maximumSegment: Int
    ) -> Bool {
        guard inRecovery, sackEnabled, let mark = retransmitMark, highestRetransmitted.isAfter(unacknowledged),
            let highest = scoreboard.highestSACKed,
            highest - mark > (SACKScoreboard.duplicateThreshold - 1) * maximumSegment
        else { return false }
        if let lost = lostBelow, lost.isAfter(highestRetransmitted) {} else { lostBelow = highestRetransmitted }
        highestRetransmitted = unacknowledged
        retransmitMark = nil
        return true
    }

    /// A retransmission went out, ending at `end`, with `highestSent` as SND.MAX.
    mutating func noteResent(upTo end: TCPSequenceNumber, highestSent: TCPSequenceNumber) {
        if highestRetransmitted.isBefore(end) { highestRetransmitted = end }
        retransmitMark = highestSent
    }

    /// A retransmission timeout: recovery ends, go-back-N from SND.UNA follows. The first
    /// timeout in a row trusts the scoreboard (go-back-N skips what it holds); a later one
    /// forgets it, in case the peer reneged (RFC 2018 §8).
    mutating func timedOut(
        unacknowledged: TCPSequenceNumber, highestSent: TCPSequenceNumber, inFlight: Int, timeoutsInARow: Int,
        now: Instant
    ) {
        congestion.onRetransmissionTimeout(inFlight: inFlight, now: now)
        recoveryPoint = nil
        inflation = 0
        duplicateAcks = 0
        retransmitFirst = false
        lostBelow = nil
        retransmitMark = nil
        timeoutRecover = highestSent
        highestRetransmitted = unacknowledged
        if timeoutsInARow > 1 { scoreboard.removeAll() }
    }

    /// RFC 6675's pipe during SACK recovery.
    @inline(__always) func pipe(unacknowledged: TCPSequenceNumber, next: TCPSequenceNumber, maximumSegment: Int) -> Int {
        scoreboard.pipe(
            unacknowledged: unacknowledged, next: next, highestRetransmitted: highestRetransmitted,
            maximumSegmentSize: maximumSegment, lostBelow: lostBelow)
    }

    /// What to resend now: SND.UNA's segment when owed (fast retransmit, a partial ACK), else
    /// in SACK recovery NextSeg's hole (rule 1, or rule 3 unless `onlyLost`) while the pipe
    /// leaves a segment of the window. Nil when nothing is to be resent.
    mutating func nextRetransmission(
        onlyLost: Bool, sackEnabled: Bool, unacknowledged: TCPSequenceNumber, next: TCPSequenceNumber,
        maximumSegment: Int
    ) -> (start: TCPSequenceNumber, limit: Int)? {
        if retransmitFirst {
            retransmitFirst = false
            return (unacknowledged, maximumSegment)
        }
        guard inRecovery, sackEnabled,
            pipe(unacknowledged: unacknowledged, next: next, maximumSegment: maximumSegment) + maximumSegment
                <= congestion.window,
            let hole = scoreboard.nextHoleToRetransmit(
                unacknowledged: unacknowledged, highestRetransmitted: highestRetransmitted, next: next,
                maximumSegmentSize: maximumSegment, onlyLost: onlyLost, lostBelow: lostBelow)
        else { return nil }
        return (hole.start, hole.length)
    }

    /// Room the windows leave for new data: the pipe's in SACK recovery, else the
    /// congestion window, inflated in NewReno recovery, less what is in flight.
    mutating func congestionRoom(
        inFlight: Int, unacknowledged: TCPSequenceNumber, next: TCPSequenceNumber, sackEnabled: Bool,
        maximumSegment: Int
    ) -> Int {
        guard inRecovery, sackEnabled else { return congestion.window + inflation - inFlight }
        return congestion.window - pipe(unacknowledged: unacknowledged, next: next, maximumSegment: maximumSegment)
    }
}
