// Congestion control as window arithmetic: the sender keeps the recovery bookkeeping (duplicate
// ACKs, SACK, recovery point) and calls these hooks; an algorithm only moves cwnd and ssthresh.

/// The congestion control a connection uses, chosen per connection (CUBIC by default).
public enum CongestionAlgorithm: String, Sendable, CaseIterable {
    case newReno = "newreno"
    case cubic
}

/// One algorithm's cwnd and ssthresh, in bytes.
protocol CongestionControl {
    /// Starts in slow start with RFC 6928's initial window and an unbounded ssthresh.
    init(maximumSegmentSize: Int, now: Instant)
    /// cwnd, in bytes.
    var window: Int { get }
    /// ssthresh, in bytes (`Int.max` until the first congestion event).
    var slowStartThreshold: Int { get }
    /// New data was cumulatively acknowledged outside recovery. `inFlight` is what was
    /// outstanding before this ACK: when the sender left at least a full segment of the window
    /// unused it was not limited by cwnd, and the window does not grow (RFC 7661's concern).
    /// `rtt` is the sender's current round-trip estimate (SRTT), when it has one.
    mutating func onAcknowledged(bytes: Int, inFlight: Int, rtt: Interval?, now: Instant)
    /// Fast retransmit: the multiplicative decrease (RFC 5681 §3.2 / RFC 9438 §4.6). cwnd
    /// becomes ssthresh; the sender's pipe (RFC 6675) or its count of duplicate ACKs stands
    /// in for RFC 5681's temporary inflation.
    mutating func onEnterRecovery(inFlight: Int, now: Instant)
    /// The recovery point was acknowledged: cwnd = ssthresh (RFC 6582 §3.2 step 3).
    mutating func onExitRecovery(now: Instant)
    /// The retransmission timer expired: cwnd collapses to one segment (RFC 5681 §3.1).
    mutating func onRetransmissionTimeout(inFlight: Int, now: Instant)
    /// The sender is about to send after more than an RTO of silence (RFC 5681 §4.1): cwnd
    /// restarts from at most the initial window.
    mutating func onIdle(now: Instant)
    /// The segment size changed (the peer's MSS, or path MTU discovery).
    mutating func setMaximumSegmentSize(_ mss: Int)
}

extension CongestionControl {
    /// RFC 6928: min(10·MSS, max(2·MSS, 14600)).
    static func initialWindow(maximumSegmentSize mss: Int) -> Int { min(10 * mss, max(2 * mss, 14_600)) }

    /// True when the sender had less than a full segment of cwnd unused before this ACK:
    /// only then did the window limit it, and only then is growth earned.
    static func wasWindowLimited(inFlight: Int, window: Int, maximumSegmentSize mss: Int) -> Bool {
        window - inFlight < mss
    }
}

/// Slow start shared by both algorithms: RFC 5681 with RFC 3465's byte counting (L = 2
/// segments per ACK), never past ssthresh. Returns the bytes of `acknowledged` left over once
/// ssthresh is reached (for congestion avoidance to count).
func slowStartGrowth(window: inout Int, acknowledged: Int, threshold: Int, maximumSegmentSize mss: Int) -> Int {
    let room = threshold - window
    let growth = min(acknowledged, 2 * mss, room)
    window += growth
    return window >= threshold ? max(acknowledged - growth, 0) : 0
}
