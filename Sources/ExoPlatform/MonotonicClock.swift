// CLOCK_MONOTONIC as one integer: the daemon's time base for deadlines and rates.
// Never jumps with wall-clock changes; meaningless across machines or reboots.
import Glibc

public enum MonotonicClock {
    /// Nanoseconds since an arbitrary start (boot), from CLOCK_MONOTONIC.
    public static func nanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }
}
