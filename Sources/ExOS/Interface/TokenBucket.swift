// A token bucket on the stack's clock: the rate limit of the ICMP errors it generates.

/// Up to `burst` tokens; one more each `interval`. `take(now:)` spends one if there is one.
struct TokenBucket {
    let burst: Int
    let interval: Interval
    private var tokens: Int
    private var lastRefill: Instant

    init(burst: Int, interval: Interval, now: Instant = .zero) {
        self.burst = max(burst, 1)
        self.interval = interval
        tokens = self.burst
        lastRefill = now
    }

    /// Spends one token; false when none is left (the caller drops and counts).
    mutating func take(now: Instant) -> Bool {
        if interval.nanoseconds > 0, now > lastRefill {
            let earned = (now - lastRefill).nanoseconds / interval.nanoseconds
            if earned > 0 {
                tokens = min(burst, tokens + Int(min(earned, UInt64(burst))))
                lastRefill = lastRefill + Interval(nanoseconds: earned * interval.nanoseconds)
            }
        }
        guard tokens > 0 else { return false }
        tokens -= 1
        return true
    }
}
