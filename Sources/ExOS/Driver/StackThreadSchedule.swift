// When the runtime's stack thread polls again, spins or sleeps (docs/EXOS.md §5): after the
// last packet it keeps polling for `NetworkOptions.spin` before it sleeps (never, with
// `busyPoll`), because a cross-CPU wake-up costs far more than a poll; it sleeps until the
// stack's next deadline, at most `maximumSleep`; and with every transmit frame in flight,
// only the stack's timers count as work to do now.

import ExoPacket

/// The stack thread's polling schedule: the options it follows and when it last did work.
struct StackThreadSchedule {
    /// What the thread does after a pass.
    enum Step { case stop, sessionEnded, again, spin, sleep(Duration?) }

    private let spin: UInt64
    private let busyPoll: Bool
    private let maximumSleep: Duration
    private let tick: UInt64
    private var lastWork: Instant

    init(options: NetworkOptions, now: Instant) {
        spin = Self.nanoseconds(options.spin)
        busyPoll = options.busyPoll
        maximumSleep = options.maximumSleep
        tick = Self.nanoseconds(options.maximumSleep)
        lastWork = now
    }

    private static func nanoseconds(_ duration: Duration) -> UInt64 {
        UInt64(duration.components.seconds) &* 1_000_000_000 &+ UInt64(duration.components.attoseconds / 1_000_000_000)
    }

    /// One pass under the runtime's lock: stops when the runtime stopped; when the session
    /// ended, marks the runtime detached (its rings are nobody's now) and says so, for the
    /// caller to reattach or stop; else lets the stack move packets (at the time `clock`
    /// reads) and decides. Before a sleep it arms the data path's need-wakeup and records
    /// when the sleep ends at the latest.
    mutating func pass(
        _ s: inout RuntimeState, sessionEnded: () -> Bool, clock: () -> Instant, ready: inout [@Sendable () -> Void]
    ) -> Step {
        if s.stopped != nil { return .stop }
        if sessionEnded() {
            s.detached = true
            return .sessionEnded
        }
        let now = clock()
        let outcome = s.pump(now: now, ready: &ready)
        if outcome.didWork {
            lastWork = now
            return .again
        }
        // Every transmit frame in flight: the frames waiting for one are no work for now, and
        // polling for the daemon's completions would take the CPU it needs to make them
        // (three busy threads on two cores). Only timers count; after the usual spin, the
        // sleep arms need-wakeup on the completion ring, so the daemon's next completion
        // batch wakes this thread.
        let deadline = outcome.deviceFull ? s.stack.nextTimerDeadline : s.stack.nextDeadline
        if let deadline, deadline <= now { return .again }
        if busyPoll || (now - lastWork).nanoseconds < spin { return .spin }
        guard s.device.dataPath.prepareToSleep() else { return .again }
        s.sleepingUntil = min(deadline ?? now + Interval(nanoseconds: tick), now + Interval(nanoseconds: tick))
        let untilDeadline = deadline.map { Duration.nanoseconds(Int64(clamping: ($0 - now).nanoseconds)) }
        return .sleep(min(untilDeadline ?? maximumSleep, maximumSleep))
    }
}
