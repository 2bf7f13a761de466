// The CPU time this process has used, from getrusage(RUSAGE_SELF): what iperf3 reports as
// CPU utilization (user and system time over the test's wall-clock time).
import Glibc

/// User and system CPU time of the whole process (every thread) so far.
public struct ProcessCPUTime: Sendable, Equatable {
    public var user: Duration
    public var system: Duration

    public init(user: Duration, system: Duration) {
        self.user = user
        self.system = system
    }

    /// Now. getrusage(RUSAGE_SELF) cannot fail with a valid pointer; a failure reads as zero.
    public static func now() -> ProcessCPUTime {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return ProcessCPUTime(user: .zero, system: .zero) }
        return ProcessCPUTime(user: duration(usage.ru_utime), system: duration(usage.ru_stime))
    }

    static func duration(_ time: timeval) -> Duration {
        .seconds(Int64(time.tv_sec)) + .microseconds(Int64(time.tv_usec))
    }
}
