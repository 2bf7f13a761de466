// Specification of ExOS's page record: protection changes become the fewest runs of hardware
// calls, the record follows only what the hardware was told, and write faults are classified
// from the record (the application's protection, or the first write to a clean page).

import ExOS
import ExoWire
import Testing

@Suite struct PageTableTests {
    struct Call: Equatable {
        var run: Range<Int>
        var trap: Bool
    }
    struct Refused: Error {}

    func table(_ count: Int, tracksDirty: Bool = false) -> PageTable {
        PageTable(frames: (0..<count).map { FrameNumber(UInt32(100 + $0)) }, tracksDirty: tracksDirty)
    }

    @Test func pagesRecordTheirFramesAndStartWritableDirtyAndUntrapped() {
        let pages = table(3)
        #expect(pages.entries.map(\.frame) == [100, 101, 102].map { FrameNumber(UInt32($0)) })
        #expect(pages.entries.allSatisfy { $0.writable && $0.dirty && !$0.trapsWrites })
    }

    @Test func protectingARangeIsOneCall() {
        var pages = table(128)
        var calls: [Call] = []
        pages.setWritable(0..<100, false) { calls.append(Call(run: $0, trap: $1)) }
        #expect(calls == [Call(run: 0..<100, trap: true)])
        #expect(pages.entries[0..<100].allSatisfy { !$0.writable && $0.trapsWrites })
        #expect(pages.entries[100...].allSatisfy { $0.writable && !$0.trapsWrites })
    }

    @Test func pagesAlreadyInTheWantedStateSplitTheRunAndCostNothing() {
        var pages = table(10)
        pages.setWritable(3..<5, false) { _, _ in }
        var calls: [Call] = []
        pages.setWritable(0..<10, false) { calls.append(Call(run: $0, trap: $1)) }
        #expect(calls == [Call(run: 0..<3, trap: true), Call(run: 5..<10, trap: true)])
        calls = []
        pages.setWritable(0..<10, false) { calls.append(Call(run: $0, trap: $1)) }
        #expect(calls.isEmpty)
    }

    @Test func aRefusedCallLeavesTheRecordAsTheHardwareWasLeft() {
        var pages = table(10)
        pages.setWritable(3..<5, false) { _, _ in }
        var calls = 0
        #expect(throws: Refused.self) {
            try pages.setWritable(0..<10, false) { (_: Range<Int>, _: Bool) throws(Refused) in
                calls += 1
                if calls == 2 { throw Refused() }
            }
        }
        // The first run (0..<3) was applied, the second (5..<10) refused.
        #expect(pages.entries[0..<5].allSatisfy { !$0.writable && $0.trapsWrites })
        #expect(pages.entries[5...].allSatisfy { $0.writable && !$0.trapsWrites })
    }

    @Test func aWriteToAProtectedPageIsTheApplicationsFaultAndMakesItDirty() {
        var pages = table(4, tracksDirty: true)
        pages.clean(0..<4) { _, _ in }
        pages.setWritable(1..<2, false) { _, _ in }
        #expect(pages.recordWriteFault(on: 1) == .protection)
        #expect(pages[1].dirty && pages[1].trapsWrites && !pages[1].writable)
        var calls: [Call] = []
        pages.setWritable(1..<2, true) { calls.append(Call(run: $0, trap: $1)) }
        #expect(calls == [Call(run: 1..<2, trap: false)])  // dirty now: no trap is kept for tracking
    }

    @Test func cleanPagesTrapTheirFirstWriteOnlyWhenTrackingDirt() {
        var tracked = table(4, tracksDirty: true)
        var calls: [Call] = []
        tracked.clean(0..<4) { calls.append(Call(run: $0, trap: $1)) }
        #expect(calls == [Call(run: 0..<4, trap: true)])
        #expect(tracked.entries.allSatisfy { !$0.dirty && $0.writable && $0.trapsWrites })
        #expect(tracked.recordWriteFault(on: 2) == .firstWrite)
        #expect(tracked[2].dirty && !tracked[2].trapsWrites)
        #expect(tracked.entries.filter(\.dirty).count == 1)
        // A second report for the same page (already resolved) is stale.
        #expect(tracked.recordWriteFault(on: 2) == .stale)
    }

    @Test func unprotectingACleanTrackedPageKeepsItTrapping() {
        var pages = table(2, tracksDirty: true)
        pages.clean(0..<2) { _, _ in }
        pages.setWritable(0..<2, false) { _, _ in }  // already trapping: no call
        var calls: [Call] = []
        pages.setWritable(0..<2, true) { calls.append(Call(run: $0, trap: $1)) }
        #expect(calls.isEmpty)
        #expect(pages.entries.allSatisfy { $0.writable && $0.trapsWrites && !$0.dirty })
    }

    @Test func recordMatchesAModelUnderRandomOperations() {
        var random = UInt64(12)
        func next(_ bound: Int) -> Int {
            random = random &* 6364136223846793005 &+ 1442695040888963407
            return Int((random >> 33) % UInt64(bound))
        }
        var pages = table(32, tracksDirty: true)
        var hardware = [Bool](repeating: false, count: 32)  // what the calls set: trapping or not
        for step in 0..<2000 {
            let start = next(32)
            let range = start..<(start + 1 + next(32 - start))
            let apply = { (run: Range<Int>, trap: Bool) in
                for page in run {
                    #expect(hardware[page] != trap, "step \(step): a call for page \(page) that changes nothing")
                    hardware[page] = trap
                }
            }
            switch next(4) {
            case 0: pages.setWritable(range, false, apply: apply)
            case 1: pages.setWritable(range, true, apply: apply)
            case 2: pages.clean(range, apply: apply)
            default:
                let page = range.lowerBound
                let before = pages[page]
                let kind = pages.recordWriteFault(on: page)
                #expect(kind == (!before.trapsWrites ? .stale : before.writable ? .firstWrite : .protection))
                if kind == .firstWrite { hardware[page] = false }
            }
            for page in 0..<32 {
                #expect(pages[page].trapsWrites == hardware[page])
                #expect(pages[page].trapsWrites == pages.wantsTrap(pages[page]))
            }
        }
    }
}
