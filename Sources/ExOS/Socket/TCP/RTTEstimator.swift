// The retransmission timeout of one connection (RFC 6298): a smoothed round-trip time and
// its variation from the samples the sender takes, the exponential back-off, and the one
// segment timed when timestamps are off (Karn's rule).

import ExoPacket

/// RFC 6298's estimator. Samples come from segments that were not retransmitted (Karn's
/// rule, the sender's job) or from echoed timestamps (RFC 7323 §4, where every ACK that
/// advances SND.UNA may give one). RFC 7323 Appendix G lets a sender scale the gains down
/// when it samples many times per window; this estimator keeps RFC 6298's fixed 1/8 and 1/4
/// (as Linux does), which only makes SRTT follow the path sooner.
struct RTTEstimator {
    let minimumTimeout: Interval
    let maximumTimeout: Interval
    /// The clock granularity G of RFC 6298 §2.
    let granularity: Interval

    private(set) var smoothedRTT: Interval?
    /// RTTVAR; zero before the first sample.
    private(set) var variance: Interval = .zero
    /// The smallest sample seen: the path's propagation delay as well as the sender can
    /// tell (CUBIC's and RACK's use).
    private(set) var minimumRTT: Interval?
    /// How many times the timer expired since the last sample (the sender's retry count).
    private(set) var backOffCount = 0
    /// The RTO before back-off, already within [minimum, maximum].
    private var baseTimeout: Interval
    /// A segment timed without timestamps, by its first number (Karn: any retransmission
    /// cancels it, so a sample never mixes up a segment and its resend).
    private(set) var timedSegment: (sequence: TCPSequenceNumber, sentAt: Instant)?

    init(
        initialTimeout: Interval = .seconds(1), minimumTimeout: Interval = .milliseconds(200),
        maximumTimeout: Interval = .seconds(60), granularity: Interval = .milliseconds(1)
    ) {
        precondition(minimumTimeout <= maximumTimeout, "the RTO bounds are reversed")
        self.minimumTimeout = minimumTimeout
        self.maximumTimeout = maximumTimeout
        self.granularity = granularity
        baseTimeout = Self.clamp(initialTimeout, minimumTimeout, maximumTimeout)
    }

    /// The current RTO, back-off included, within [minimumTimeout, maximumTimeout].
    var timeout: Interval { min(baseTimeout.doubled(backOffCount), maximumTimeout) }

    /// Takes one round-trip measurement (RFC 6298 §2.2 and §2.3) and ends any back-off: a
    /// fresh sample is what RFC 6298 §5.7's "after a new RTT measurement" waits for.
    mutating func addSample(_ rtt: Interval) {
        if let smoothed = smoothedRTT {
            // RTTVAR ← ¾·RTTVAR + ¼·|SRTT − R| first, with the old SRTT; then SRTT ← ⅞·SRTT + ⅛·R.
            let error = smoothed > rtt ? smoothed.nanoseconds - rtt.nanoseconds : rtt.nanoseconds - smoothed.nanoseconds
            variance = Interval(nanoseconds: variance.nanoseconds - variance.nanoseconds / 4 + error / 4)
            smoothedRTT = Interval(nanoseconds: smoothed.nanoseconds - smoothed.nanoseconds / 8 + rtt.nanoseconds / 8)
        } else {
            smoothedRTT = rtt
            variance = Interval(nanoseconds: rtt.nanoseconds / 2)
        }
        minimumRTT = minimumRTT.map { min($0, rtt) } ?? rtt
        let fourVariances = variance.nanoseconds.multipliedReportingOverflow(by: 4)
        let spread = max(granularity, Interval(nanoseconds: fourVariances.overflow ? .max : fourVariances.partialValue))
        let (sum, overflow) = smoothedRTT!.nanoseconds.addingReportingOverflow(spread.nanoseconds)
        baseTimeout = Self.clamp(Interval(nanoseconds: overflow ? .max : sum), minimumTimeout, maximumTimeout)
        backOffCount = 0
    }

    /// The timer expired (RFC 6298 §5.5): the next timeout is twice this one, up to the maximum.
    mutating func backOff() {
        // The count keeps rising past the maximum (the sender gives up after so many
        // expirations); `doubled` saturates, so the timeout itself stays at the maximum.
        backOffCount += 1
    }

    private static func clamp(_ value: Interval, _ low: Interval, _ high: Interval) -> Interval {
        min(max(value, low), high)
    }

    /// Times the segment starting at `sequence`, sent at `now`, unless one is being timed.
    mutating func time(_ sequence: TCPSequenceNumber, sentAt now: Instant) {
        if timedSegment == nil { timedSegment = (sequence, now) }
    }

    /// Stops timing (a retransmission: Karn's rule).
    mutating func cancelTiming() { timedSegment = nil }

    /// An ACK up to `ack` arrived at `now`: a sample if it covers the timed segment.
    mutating func sampleTimedSegment(acknowledged ack: TCPSequenceNumber, now: Instant) {
        guard let timed = timedSegment, ack.isAfter(timed.sequence) else { return }
        addSample(now - timed.sentAt)
        timedSegment = nil
    }
}
