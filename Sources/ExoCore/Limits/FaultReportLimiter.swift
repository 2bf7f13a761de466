// Coalesces and rate-limits one session's data-path fault reports: every fault is counted,
// but reports go out at most `ratePerSecond` a second and only into an empty outbound queue.

/// A report to send: the first fault since the previous report, and how many more faults
/// happened since then that this report stands for (`coalesced`, never reported one by one).
public struct FaultReport: Sendable, Equatable {
    public var reason: UInt16
    public var frame: UInt32
    public var coalesced: UInt32

    public init(reason: UInt16, frame: UInt32, coalesced: UInt32) {
        self.reason = reason
        self.frame = frame
        self.coalesced = coalesced
    }
}

/// Per-session fault bookkeeping: a token bucket of `ratePerSecond` reports (burst the same)
/// over the caller's monotonic clock, and the faults waiting for a report. O(1) state: a
/// flood of faults costs the daemon counters, never memory or queued records.
public struct FaultReportLimiter: Sendable, Equatable {
    public let ratePerSecond: Int
    /// Nanoseconds of credit; one report costs `interval`, credit is capped at `ratePerSecond`
    /// reports.
    private var credit: UInt64
    private var lastRefill: UInt64
    private let interval: UInt64
    /// The first fault not yet reported (valid when `hasWaiting`), and how many followed it.
    public private(set) var hasWaiting = false
    private var waitingReason: UInt16 = 0
    private var waitingFrame: UInt32 = 0
    private var waitingMore: UInt32 = 0
    /// Reports handed out since the start.
    public private(set) var reported: UInt64 = 0
    /// Faults folded into another report (counted, never reported one by one).
    public private(set) var coalesced: UInt64 = 0

    /// `ratePerSecond` is at least 1 (clamped). The bucket starts full at `now`.
    public init(ratePerSecond: Int, now: UInt64) {
        self.ratePerSecond = max(1, ratePerSecond)
        interval = 1_000_000_000 / UInt64(self.ratePerSecond)
        credit = interval * UInt64(self.ratePerSecond)
        lastRefill = now
    }

    /// Reports the bucket would allow right now (for `exoctl`: `ratePerSecond` minus this is
    /// the use of the current second).
    public func available(now: UInt64) -> Int {
        Int(min(capacity, credit &+ elapsed(now)) / interval)
    }

    /// Records a fault.
    public mutating func record(reason: UInt16, frame: UInt32) {
        if !hasWaiting {
            hasWaiting = true
            waitingReason = reason
            waitingFrame = frame
        } else {
            waitingMore &+= 1
        }
    }

    /// The report to send now, if faults wait, the rate allows one and the session's queue
    /// is empty (`queueEmpty`: a report never waits behind unread records, so an unread
    /// socket cannot pile reports up). Taking it spends one report's credit.
    public mutating func takeReport(now: UInt64, queueEmpty: Bool) -> FaultReport? {
        guard hasWaiting, queueEmpty else { return nil }
        refill(now)
        guard credit >= interval else { return nil }
        credit -= interval
        let report = FaultReport(reason: waitingReason, frame: waitingFrame, coalesced: waitingMore)
        coalesced &+= UInt64(waitingMore)
        reported &+= 1
        hasWaiting = false
        waitingMore = 0
        return report
    }

    /// When a waiting report could next be allowed by the rate (now if it already is), or nil
    /// when nothing waits.
    public func nextReportTime(now: UInt64) -> UInt64? {
        guard hasWaiting else { return nil }
        let have = min(capacity, credit &+ elapsed(now))
        return have >= interval ? now : now + (interval - have)
    }

    private var capacity: UInt64 { interval * UInt64(ratePerSecond) }

    private func elapsed(_ now: UInt64) -> UInt64 { now > lastRefill ? now - lastRefill : 0 }

    private mutating func refill(_ now: UInt64) {
        credit = min(capacity, credit &+ elapsed(now))
        lastRefill = max(lastRefill, now)
    }
}
