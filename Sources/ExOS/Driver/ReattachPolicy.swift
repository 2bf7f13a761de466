// When a runtime whose daemon went away tries to attach again: exponential back-off with
// jitter, up to a time limit, and which failures end the attempts at once. A pure value on
// the caller's clock, so tests run it on a virtual one.

import ExoImpairment

/// How `NetworkRuntime` attaches again after its session with the daemon ended
/// (`NetworkOptions.reattach`; docs/EXOS.md, "Daemon restarts").
public struct ReattachPolicy: Sendable, Equatable {
    /// The wait before the first attempt; it doubles after each failed one.
    public var firstDelay: Duration = .milliseconds(50)
    /// The longest wait between attempts.
    public var maximumDelay: Duration = .seconds(2)
    /// Each wait is spread by up to this fraction either way (0.2: ±20%), so that the
    /// tenants of a restarted daemon do not all come back in the same millisecond.
    public var jitter: Double = 0.2
    /// No attempt starts later than this after the session ended (nil: keep trying).
    public var giveUpAfter: Duration? = .seconds(300)

    public init() {}
}

/// The attempts of one reattachment: when the next starts, and when to stop.
struct ReattachSchedule {
    /// What to do next.
    enum Step: Equatable {
        /// Attempt to attach at this time.
        case attempt(at: Instant)
        /// The next attempt would start past `giveUpAfter`: stop.
        case giveUp
    }

    private let policy: ReattachPolicy
    private let lostAt: Instant
    private var random: SeededRandom
    private var delay: Interval
    /// Attempts scheduled so far.
    private(set) var attempts = 0

    /// A schedule for a session that ended at `lostAt`; `seed` draws the jitter.
    init(policy: ReattachPolicy, lostAt: Instant, seed: UInt64) {
        self.policy = policy
        self.lostAt = lostAt
        random = SeededRandom(seed: seed)
        delay = Self.interval(policy.firstDelay)
    }

    /// The next attempt after one that failed at `now` (or, the first time, after the loss).
    mutating func next(now: Instant) -> Step {
        let jittered = Double(delay.nanoseconds) * (1 + policy.jitter * (2 * random.unit() - 1))
        let at = max(now, lostAt) + Interval(nanoseconds: UInt64(max(jittered, 0)))
        delay = min(Interval(nanoseconds: delay.nanoseconds &* 2), Self.interval(policy.maximumDelay))
        if let limit = policy.giveUpAfter, (at - lostAt).nanoseconds > Self.interval(limit).nanoseconds { return .giveUp }
        attempts += 1
        return .attempt(at: at)
    }

    /// True when `failure` (of an attempt, or the reason the session ended) means attaching
    /// again cannot work and must not be tried: the daemon refused this process (not
    /// permitted: a kick, or a reload that removed the tenant or its uid; no such tenant),
    /// speaks no common version, or broke the protocol. Everything else (unreachable, hung up,
    /// limits, pool or quota momentarily short) may pass and is retried.
    static func isFinal(_ failure: ExOSError) -> Bool {
        switch failure {
        case .refused(let code, _):
            [.notPermitted, .notOperator, .unknownTenant, .unsupportedVersion, .malformedMessage].contains(code)
        case .protocolViolation, .invalidRequest: true
        case .unreachable, .disconnected, .mapFailed, .ringMapFailed: false
        }
    }

    private static func interval(_ duration: Duration) -> Interval {
        let (seconds, attoseconds) = duration.components
        return Interval(nanoseconds: UInt64(max(seconds, 0)) &* 1_000_000_000 &+ UInt64(max(attoseconds, 0) / 1_000_000_000))
    }
}
