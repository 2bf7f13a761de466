// The data-path watchdog's decision (DataPathWatchdog.swift): stuck only when work was owed
// at two consecutive ticks with nothing served between them; idle or held-back paths, which
// owe nothing, and busy paths, which make progress, keep the ping going.

import Testing

@testable import ExoDaemon

struct DataPathWatchdogTests {
    /// Every pair of ticks: (owed before, owed now, progress between). Only owed-owed without
    /// progress is stuck.
    @Test(arguments: [false, true], [false, true])
    func aSecondTickIsStuckOnlyWhenWorkWasOwedAtBothAndNothingWasServed(owedBefore: Bool, owedNow: Bool) {
        for progress in [false, true] {
            var watchdog = DataPathWatchdog()
            #expect(watchdog.tick(DataPathSample(served: 10, owed: owedBefore)) == .healthy)
            let verdict = watchdog.tick(DataPathSample(served: progress ? 11 : 10, owed: owedNow))
            let expected: DataPathVerdict = owedBefore && owedNow && !progress ? .stuck : .healthy
            #expect(verdict == expected, "owed \(owedBefore) then \(owedNow), progress \(progress)")
            #expect(verdict.pings == (expected == .healthy))
        }
    }

    @Test func theFirstTickHasNothingToCompareWithAndIsHealthy() {
        var watchdog = DataPathWatchdog()
        #expect(watchdog.tick(DataPathSample(served: 0, owed: true)) == .healthy)
    }

    @Test func anIdleDataPathIsNeverStuck() {
        var watchdog = DataPathWatchdog()
        for _ in 0..<10 { #expect(watchdog.tick(DataPathSample(served: 7, owed: false)) == .healthy) }
    }

    @Test func aBusyPathThatServesBetweenEveryTickIsNeverStuckEvenIfWorkIsAlwaysOwed() {
        var watchdog = DataPathWatchdog()
        for served in UInt64(0)..<10 { #expect(watchdog.tick(DataPathSample(served: served, owed: true)) == .healthy) }
    }

    @Test func stuckStaysStuckWithoutPingsThenRecoversOnProgressOrWhenNothingIsOwed() {
        for release in [DataPathSample(served: 6, owed: true), DataPathSample(served: 5, owed: false)] {
            var watchdog = DataPathWatchdog()
            _ = watchdog.tick(DataPathSample(served: 5, owed: true))
            #expect(watchdog.tick(DataPathSample(served: 5, owed: true)) == .stuck)
            #expect(watchdog.tick(DataPathSample(served: 5, owed: true)) == .stillStuck)
            #expect(!DataPathVerdict.stillStuck.pings && !DataPathVerdict.stuck.pings)
            #expect(watchdog.tick(release) == .recovered)
            #expect(DataPathVerdict.recovered.pings)
            #expect(watchdog.tick(DataPathSample(served: 9, owed: false)) == .healthy)
        }
    }

    @Test func theServedCounterIsComparedForEqualityOnlySoItsWrapIsProgress() {
        var watchdog = DataPathWatchdog()
        _ = watchdog.tick(DataPathSample(served: .max, owed: true))
        #expect(watchdog.tick(DataPathSample(served: 0, owed: true)) == .healthy)
    }

    @Test func workOwedAgainAfterAnIdleTickNeedsAnotherFullTickBeforeItIsStuck() {
        var watchdog = DataPathWatchdog()
        _ = watchdog.tick(DataPathSample(served: 3, owed: true))
        #expect(watchdog.tick(DataPathSample(served: 3, owed: false)) == .healthy)
        #expect(watchdog.tick(DataPathSample(served: 3, owed: true)) == .healthy)
        #expect(watchdog.tick(DataPathSample(served: 3, owed: true)) == .stuck)
    }
}
