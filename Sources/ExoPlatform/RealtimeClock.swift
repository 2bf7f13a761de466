// CLOCK_REALTIME as one integer: wall-clock time stamps (captured packets carry it, as
// pcap does). A vDSO read, no system call; may jump when the clock is set.
import Glibc

public enum RealtimeClock {
    /// Nanoseconds since the Unix epoch, from CLOCK_REALTIME.
    public static func nanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }
}
