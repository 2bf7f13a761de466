// The real clock for drivers: the stack never reads a clock, its drivers do, with this.

import ExoPlatform

extension Instant {
    /// Now on CLOCK_MONOTONIC (the daemon's time base too).
    public static func monotonicNow() -> Instant {
        Instant(nanoseconds: MonotonicClock.nanoseconds())
    }
}
