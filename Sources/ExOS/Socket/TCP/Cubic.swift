// CUBIC's window (RFC 9438): after a loss, cwnd follows a cubic function of the time since the
// loss, concave up to the old maximum and convex beyond it, never below what Reno would have.

import Glibc  // cbrt

/// RFC 9438 congestion avoidance; slow start and the recovery hooks as Reno's, with β = 0.7.
/// Window quantities are kept in bytes (RFC 9438 counts segments: the constants are scaled by
/// the MSS), times in seconds as `Double` for the cube root.
struct Cubic: CongestionControl {
    /// RFC 9438 §5: C = 0.4 segments/s³, β_cubic = 0.7.
    static let c = 0.4
    static let beta = 0.7
    /// RFC 9438 §4.3: α_cubic = 3·(1 − β)/(1 + β), Reno's average rate at CUBIC's β.
    static let renoFriendlyAlpha = 3 * (1 - beta) / (1 + beta)

    private(set) var window: Int
    private(set) var slowStartThreshold = Int.max
    private(set) var maximumSegmentSize: Int
    /// W_max: cwnd just before the last reduction (lowered by fast convergence, §4.7), in
    /// bytes; zero before any loss and after a timeout, so the next epoch starts its curve
    /// at the window it starts from (K = 0).
    private(set) var lastMaximumWindow = 0.0
    /// cwnd_prior: cwnd at the last reduction (§4.3, when α_cubic turns to 1).
    private(set) var windowBeforeReduction = 0.0
    /// The start of the current congestion avoidance epoch; nil until the first ACK of it.
    private(set) var epochStart: Instant?
    /// K (seconds) and the window the curve returns to at t = K, for this epoch.
    private(set) var timeToOrigin = 0.0
    private(set) var originWindow = 0.0
    /// W_est, the Reno-friendly estimate (§4.3), in bytes.
    private(set) var renoEstimate = 0.0
    /// Growth below one byte carried to the next ACK.
    private var fractionalGrowth = 0.0
    private var lastRTT: Interval?
    private var lastAcknowledgement: Instant
    private var hasChanged = false

    init(maximumSegmentSize: Int, now: Instant) {
        precondition(maximumSegmentSize > 0, "a segment holds at least one byte")
        self.maximumSegmentSize = maximumSegmentSize
        window = Self.initialWindow(maximumSegmentSize: maximumSegmentSize)
        lastAcknowledgement = now
    }

    /// W_cubic(t) = C·(t − K)³ + W_max (RFC 9438 equation 1), in bytes, for this epoch.
    func cubicWindow(after seconds: Double) -> Double {
        let offset = seconds - timeToOrigin
        return Self.c * Double(maximumSegmentSize) * offset * offset * offset + originWindow
    }

    mutating func onAcknowledged(bytes: Int, inFlight: Int, rtt: Interval?, now: Instant) {
        defer { lastAcknowledgement = now }
        if let rtt { lastRTT = rtt }
        guard bytes > 0 else { return }
        guard Self.wasWindowLimited(inFlight: inFlight, window: window, maximumSegmentSize: maximumSegmentSize) else {
            // RFC 9438 §5.8: time the application held the sender back does not count in t.
            if let start = epochStart { epochStart = start + (now - lastAcknowledgement) }
            return
        }
        hasChanged = true
        var avoidanceBytes = bytes
        if window < slowStartThreshold {
            avoidanceBytes = slowStartGrowth(
                window: &window, acknowledged: bytes, threshold: slowStartThreshold,
                maximumSegmentSize: maximumSegmentSize)
        }
        if avoidanceBytes > 0 { avoidCongestion(acknowledged: avoidanceBytes, now: now) }
    }

    /// RFC 9438 §4.2 to §4.5 for one ACK in congestion avoidance.
    private mutating func avoidCongestion(acknowledged: Int, now: Instant) {
        let current = Double(window)
        let mss = Double(maximumSegmentSize)
        if epochStart == nil { startEpoch(now: now) }
        let elapsed = Double((now - epochStart!).nanoseconds) / 1e9
        let rtt = Double((lastRTT ?? .zero).nanoseconds) / 1e9
        // §4.3: W_est grows α_cubic segments per window acknowledged (1 once past cwnd_prior).
        let alpha = renoEstimate >= windowBeforeReduction ? 1 : Self.renoFriendlyAlpha
        renoEstimate += alpha * Double(acknowledged) * mss / current
        var next: Double
        if cubicWindow(after: elapsed) < renoEstimate {
            next = max(renoEstimate, current)  // §4.3: the Reno-friendly region
        } else {
            // §4.4/§4.5: towards W_cubic one RTT ahead, at most 1.5·cwnd, never shrinking.
            let target = min(max(cubicWindow(after: elapsed + rtt), current), 1.5 * current)
            next = current + (target - current) / current * Double(acknowledged)
        }
        fractionalGrowth += next - current
        let whole = fractionalGrowth.rounded(.down)
        window += Int(whole)
        fractionalGrowth -= whole
    }

    /// The first ACK of a congestion avoidance stage: K from equation 2, W_est from cwnd.
    private mutating func startEpoch(now: Instant) {
        epochStart = now
        let current = Double(window)
        if lastMaximumWindow > current {
            timeToOrigin = cbrt((lastMaximumWindow - current) / (Self.c * Double(maximumSegmentSize)))
            originWindow = lastMaximumWindow
        } else {
            timeToOrigin = 0
            originWindow = current
        }
        renoEstimate = current
        fractionalGrowth = 0
    }

    mutating func onEnterRecovery(inFlight: Int, now: Instant) {
        let current = Double(window)
        // §4.7 fast convergence: a flow whose maximum keeps falling releases bandwidth sooner.
        lastMaximumWindow = current < lastMaximumWindow ? current * (1 + Self.beta) / 2 : current
        reduce(inFlight: inFlight)
        window = slowStartThreshold
    }

    mutating func onExitRecovery(now: Instant) {
        hasChanged = true
        window = slowStartThreshold
    }

    mutating func onRetransmissionTimeout(inFlight: Int, now: Instant) {
        // §4.8: ssthresh with β as on a loss, cwnd as Reno's; the next epoch has K = 0 and
        // W_max = its starting window.
        reduce(inFlight: inFlight)
        lastMaximumWindow = 0
        window = maximumSegmentSize
    }

    mutating func onIdle(now: Instant) {
        hasChanged = true
        window = min(window, Self.initialWindow(maximumSegmentSize: maximumSegmentSize))
        epochStart = nil  // §5.8: the idle time is not part of t; a new epoch starts at the restart
    }

    mutating func setMaximumSegmentSize(_ mss: Int) {
        precondition(mss > 0, "a segment holds at least one byte")
        maximumSegmentSize = mss
        if !hasChanged {
            window = Self.initialWindow(maximumSegmentSize: mss)
        } else {
            window = max(window, mss)
            if slowStartThreshold != .max { slowStartThreshold = max(slowStartThreshold, 2 * mss) }
            epochStart = nil  // K depends on the MSS: recompute it from the next ACK
        }
    }

    /// §4.6: ssthresh = FlightSize·β (at least 2 segments); the epoch ends.
    private mutating func reduce(inFlight: Int) {
        hasChanged = true
        windowBeforeReduction = Double(window)
        slowStartThreshold = max(Int((Double(inFlight) * Self.beta).rounded()), 2 * maximumSegmentSize)
        epochStart = nil
        fractionalGrowth = 0
    }
}
