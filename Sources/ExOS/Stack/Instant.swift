// The stack's time: a monotonic instant and a non-negative interval, both in nanoseconds.
// The stack never reads a clock; whoever drives it passes `now` in (a real clock in a
// driver, a virtual one in a simulation).

/// A point on a monotonic clock, in nanoseconds since an origin the driver chooses
/// (`MonotonicClock.nanoseconds()` in a real driver, 0 in a simulation).
public struct Instant: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Nanoseconds since the origin.
    public var nanoseconds: UInt64

    /// The instant `nanoseconds` after the origin.
    @inlinable public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    /// The origin.
    public static let zero = Instant(nanoseconds: 0)

    @inlinable public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    /// The later instant `interval` after `instant` (saturating at the end of time).
    @inlinable public static func + (instant: Instant, interval: Interval) -> Instant {
        let (sum, overflow) = instant.nanoseconds.addingReportingOverflow(interval.nanoseconds)
        return Instant(nanoseconds: overflow ? .max : sum)
    }

    /// The time from `earlier` to `later`; zero when `earlier` is not earlier.
    @inlinable public static func - (later: Instant, earlier: Instant) -> Interval {
        Interval(nanoseconds: later.nanoseconds > earlier.nanoseconds ? later.nanoseconds - earlier.nanoseconds : 0)
    }

    public var description: String { Interval(nanoseconds: nanoseconds).description }

    /// The earlier of two optional instants (nil: none).
    static func earliest(_ a: Instant?, _ b: Instant?) -> Instant? {
        guard let a else { return b }
        guard let b else { return a }
        return a < b ? a : b
    }
}

/// A length of time, never negative, in nanoseconds.
public struct Interval: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// The length in nanoseconds.
    public var nanoseconds: UInt64

    /// An interval of `nanoseconds`.
    @inlinable public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    /// No time at all.
    public static let zero = Interval(nanoseconds: 0)

    /// `value` microseconds (wrapping past `UInt64.max` nanoseconds, some 584 years).
    @inlinable public static func microseconds(_ value: UInt64) -> Interval { Interval(nanoseconds: value &* 1_000) }
    /// `value` milliseconds.
    @inlinable public static func milliseconds(_ value: UInt64) -> Interval {
        Interval(nanoseconds: value &* 1_000_000)
    }
    /// `value` seconds.
    @inlinable public static func seconds(_ value: UInt64) -> Interval { Interval(nanoseconds: value &* 1_000_000_000) }

    @inlinable public static func < (lhs: Interval, rhs: Interval) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
    @inlinable public static func + (lhs: Interval, rhs: Interval) -> Interval {
        Interval(nanoseconds: lhs.nanoseconds &+ rhs.nanoseconds)
    }
    /// `self` doubled `times` times (a back-off), saturating.
    @inlinable public func doubled(_ times: Int) -> Interval {
        guard times > 0 else { return self }
        guard times < 63, nanoseconds <= UInt64.max >> UInt64(times) else { return Interval(nanoseconds: .max) }
        return Interval(nanoseconds: nanoseconds << UInt64(times))
    }

    /// Seconds with millisecond precision, as `1.250s`.
    public var description: String {
        let millis = nanoseconds / 1_000_000
        let fraction = millis % 1000
        return "\(millis / 1000).\(fraction < 10 ? "00" : fraction < 100 ? "0" : "")\(fraction)s"
    }
}
