// Fault reports are coalesced and rate-limited: every fault is accounted for, reports never
// exceed the rate nor go into a non-empty queue, and none is lost for good.
import ExoCore
import Testing

@Suite struct FaultReportLimiterTests {
    static let second: UInt64 = 1_000_000_000

    @Test func aFloodIsReportedAtTheRateAndEveryFaultIsCounted() {
        var limiter = FaultReportLimiter(ratePerSecond: 100, now: 0)
        var reports: [FaultReport] = []
        var now: UInt64 = 0
        // 100,000 faults over two seconds, the daemon trying to report after each.
        for index in 0..<100_000 {
            limiter.record(reason: UInt16(index % 5 + 1), frame: UInt32(index))
            now = UInt64(index) * 20_000
            if let report = limiter.takeReport(now: now, queueEmpty: true) { reports.append(report) }
        }
        // A full bucket (100) plus two seconds of refill (200), give or take the last interval.
        #expect(reports.count >= 299 && reports.count <= 301, "\(reports.count)")
        while let time = limiter.nextReportTime(now: now) {
            now = time
            if let report = limiter.takeReport(now: now, queueEmpty: true) { reports.append(report) }
        }
        #expect(reports.reduce(0) { $0 + 1 + Int($1.coalesced) } == 100_000)
        #expect(limiter.reported == UInt64(reports.count))
        #expect(limiter.coalesced == UInt64(100_000 - reports.count))
        #expect(reports.first == FaultReport(reason: 1, frame: 0, coalesced: 0))
    }

    @Test func noReportGoesIntoAQueueThatHoldsUnreadRecords() {
        var limiter = FaultReportLimiter(ratePerSecond: 1000, now: 0)
        for frame in 0..<10 { limiter.record(reason: 2, frame: UInt32(frame)) }
        let intoBusyQueue = limiter.takeReport(now: 5, queueEmpty: false)
        #expect(intoBusyQueue == nil)
        #expect(limiter.hasWaiting)
        let intoEmptyQueue = limiter.takeReport(now: 6, queueEmpty: true)
        #expect(intoEmptyQueue == FaultReport(reason: 2, frame: 0, coalesced: 9))
        #expect(!limiter.hasWaiting && limiter.nextReportTime(now: 7) == nil)
    }

    @Test func theNextReportTimeIsWhenTheRateAllowsOne() {
        var limiter = FaultReportLimiter(ratePerSecond: 2, now: 0)
        for frame in 0..<3 {
            limiter.record(reason: 1, frame: UInt32(frame))
            _ = limiter.takeReport(now: 0, queueEmpty: true)
        }
        #expect(limiter.reported == 2)
        #expect(limiter.nextReportTime(now: 0) == Self.second / 2)
        let tooEarly = limiter.takeReport(now: Self.second / 2 - 1, queueEmpty: true)
        #expect(tooEarly == nil)
        let onTime = limiter.takeReport(now: Self.second / 2, queueEmpty: true)
        #expect(onTime == FaultReport(reason: 1, frame: 2, coalesced: 0))
        #expect(limiter.available(now: Self.second / 2) == 0)
    }
}
