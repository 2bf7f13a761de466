// NewReno's window (RFC 5681, RFC 6582's recovery hooks): slow start with byte counting, then
// one segment per round trip, halved on loss.

/// RFC 5681 slow start and congestion avoidance with RFC 3465 appropriate byte counting.
struct NewReno: CongestionControl {
    private(set) var window: Int
    private(set) var slowStartThreshold = Int.max
    private(set) var maximumSegmentSize: Int
    /// Bytes acknowledged in congestion avoidance since cwnd last grew (RFC 3465 §2.1's
    /// bytes_acked): cwnd grows one segment each time a full window's worth is acknowledged.
    private var acknowledgedSinceGrowth = 0
    /// False until the first event after init: until then a new MSS recomputes the initial window.
    private var hasChanged = false

    init(maximumSegmentSize: Int, now: Instant) {
        precondition(maximumSegmentSize > 0, "a segment holds at least one byte")
        self.maximumSegmentSize = maximumSegmentSize
        window = Self.initialWindow(maximumSegmentSize: maximumSegmentSize)
    }

    mutating func onAcknowledged(bytes: Int, inFlight: Int, rtt: Interval?, now: Instant) {
        guard bytes > 0,
            Self.wasWindowLimited(inFlight: inFlight, window: window, maximumSegmentSize: maximumSegmentSize)
        else { return }
        hasChanged = true
        var avoidanceBytes = bytes
        if window < slowStartThreshold {
            avoidanceBytes = slowStartGrowth(
                window: &window, acknowledged: bytes, threshold: slowStartThreshold,
                maximumSegmentSize: maximumSegmentSize)
        }
        guard avoidanceBytes > 0 else { return }
        acknowledgedSinceGrowth += avoidanceBytes
        if acknowledgedSinceGrowth >= window {
            acknowledgedSinceGrowth -= window
            window += maximumSegmentSize
        }
    }

    mutating func onEnterRecovery(inFlight: Int, now: Instant) {
        reduce(inFlight: inFlight)
        window = slowStartThreshold
    }

    mutating func onExitRecovery(now: Instant) {
        hasChanged = true
        window = slowStartThreshold
        acknowledgedSinceGrowth = 0
    }

    mutating func onRetransmissionTimeout(inFlight: Int, now: Instant) {
        reduce(inFlight: inFlight)
        window = maximumSegmentSize
    }

    mutating func onIdle(now: Instant) {
        hasChanged = true
        window = min(window, Self.initialWindow(maximumSegmentSize: maximumSegmentSize))
        acknowledgedSinceGrowth = 0
    }

    mutating func setMaximumSegmentSize(_ mss: Int) {
        precondition(mss > 0, "a segment holds at least one byte")
        maximumSegmentSize = mss
        if !hasChanged {
            window = Self.initialWindow(maximumSegmentSize: mss)
        } else {
            // cwnd stays in bytes; only the floors that are counted in segments follow the MSS.
            window = max(window, mss)
            if slowStartThreshold != .max { slowStartThreshold = max(slowStartThreshold, 2 * mss) }
        }
    }

    /// RFC 5681 equation (4): ssthresh = max(FlightSize / 2, 2·SMSS).
    private mutating func reduce(inFlight: Int) {
        hasChanged = true
        slowStartThreshold = max(inFlight / 2, 2 * maximumSegmentSize)
        acknowledgedSinceGrowth = 0
    }
}
