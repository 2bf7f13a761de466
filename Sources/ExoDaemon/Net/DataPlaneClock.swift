// The time the data plane's timers read (fragment reassembly, impairment delay): the
// monotonic clock in the daemon, a virtual clock a test sets and advances.

import ExoPlatform

/// A clock the data plane reads instead of `MonotonicClock`, so that an in-process test can
/// drive its timers: set it virtual, advance it, then fire the timer by hand. Reading it
/// costs one branch more than reading the monotonic clock.
final class DataPlaneClock {
    /// The virtual time, when this clock is virtual.
    private var virtualNow: UInt64?

    private init(virtualNow: UInt64?) { self.virtualNow = virtualNow }

    /// The monotonic clock (CLOCK_MONOTONIC, a vDSO read).
    static func monotonic() -> DataPlaneClock { DataPlaneClock(virtualNow: nil) }

    /// A clock that stands still at `start` until `advance(by:)` moves it.
    static func virtual(startingAt start: UInt64 = 1_000_000_000) -> DataPlaneClock {
        DataPlaneClock(virtualNow: start)
    }

    /// Now, in nanoseconds.
    @inline(__always)
    var nanoseconds: UInt64 { virtualNow ?? MonotonicClock.nanoseconds() }

    /// Moves a virtual clock forward. Precondition: the clock is virtual.
    func advance(by nanoseconds: UInt64) {
        precondition(virtualNow != nil, "only a virtual clock can be advanced")
        virtualNow! &+= nanoseconds
    }
}
