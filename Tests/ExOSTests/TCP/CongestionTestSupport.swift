// A window-limited sender for congestion control tests: each round trip it sends a full
// window and gets one ACK per segment, spread evenly over the round trip.

@testable import ExOS

extension CongestionControl {
    /// Acknowledges the window held at the start of the round, one `mss` segment per ACK, the
    /// ACKs spread over `rtt` from `start`; the sender keeps the window full (inFlight = cwnd
    /// before each ACK). Returns the instant the round ends.
    @discardableResult
    mutating func acknowledgeRound(mss: Int, start: Instant, rtt: Interval, reportedRTT: Interval? = nil) -> Instant {
        let segments = max(window / mss, 1)
        for index in 0..<segments {
            let at = start + Interval(nanoseconds: rtt.nanoseconds * UInt64(index + 1) / UInt64(segments))
            onAcknowledged(bytes: mss, inFlight: window, rtt: reportedRTT ?? rtt, now: at)
        }
        return start + rtt
    }
}

extension CongestionControl {
    /// Grows the window in slow start, one segment per ACK, until it is `target` bytes.
    mutating func growInSlowStart(to target: Int, mss: Int, now: Instant) {
        while window < target { onAcknowledged(bytes: mss, inFlight: window, rtt: nil, now: now) }
    }
}
