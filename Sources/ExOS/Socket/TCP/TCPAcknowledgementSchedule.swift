// When a connection owes the peer an ACK: at once (out-of-order data, a filled hole, every
// second full segment, a FIN, anything suspicious) or delayed up to a deadline (RFC 1122
// §4.2.3.2); and the rate limit on challenge ACKs (RFC 5961 §7). Any segment we send carries
// the ACK, so sending one pays every debt.

struct TCPAcknowledgementSchedule {
    /// An ACK is owed at once.
    private(set) var owedNow = false
    /// A delayed ACK is owed; `deadline` is when it must go.
    private var owedDelayed = false
    private(set) var deadline: Instant?
    /// Full-sized segments received since our last ACK (every second one is acked at once).
    private var fullSegmentsSinceAck = 0
    /// When the latest challenge ACK went.
    private var lastChallenge: Instant?

    /// An ACK must go on the next turn.
    mutating func oweNow() { owedNow = true }

    /// An ACK must go within `delay` of `now` (the earlier deadline stands).
    mutating func oweDelayed(now: Instant, delay: Interval) {
        owedDelayed = true
        if deadline == nil { deadline = now + delay }
    }

    /// Counts an in-order segment received; true when two full-sized ones came since our
    /// last ACK (which is then owed at once).
    mutating func segmentArrived(fullSized: Bool) -> Bool {
        if fullSized { fullSegmentsSinceAck += 1 }
        return fullSegmentsSinceAck >= 2
    }

    /// True when an ACK is owed by `now`.
    @inline(__always) func isDue(now: Instant) -> Bool {
        owedNow || (owedDelayed && deadline.map { $0 <= now } ?? true)
    }

    /// A segment carrying our ACK went: nothing is owed any more.
    mutating func sent() {
        owedDelayed = false
        owedNow = false
        deadline = nil
        fullSegmentsSinceAck = 0
    }

    /// The delayed ACK's timer: true when it fired at `now` (the owed ACK is due at once).
    mutating func fireIfDue(now: Instant) -> Bool {
        guard let deadline, deadline <= now else { return false }
        self.deadline = nil
        owedNow = owedNow || owedDelayed
        return true
    }

    /// Stops the delayed ACK's timer (the connection ends).
    mutating func stopTimer() { deadline = nil }

    /// A challenge ACK may go at `now` (at most one per `interval`); records it when so.
    mutating func mayChallenge(now: Instant, interval: Interval) -> Bool {
        if let last = lastChallenge, now < last + interval { return false }
        lastChallenge = now
        return true
    }
}
