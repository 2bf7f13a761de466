// The sender's SACK scoreboard (RFC 2018, RFC 6675): which blocks count, the range bound,
// IsLost, SetPipe and NextSeg, and random blocks across the 2³² wrap against a set of offsets.

import ExoImpairment
import ExoPacket
import Testing

@testable import ExOS

@Suite struct SACKScoreboardTests {
    private func seq(_ value: UInt32) -> TCPSequenceNumber { TCPSequenceNumber(value) }

    private func ranges(_ board: SACKScoreboard, from: UInt32, to: UInt32) -> [[UInt32]] {
        var result: [[UInt32]] = []
        var start: UInt32?
        for value in from..<to {
            if board.isSACKed(seq(value)) {
                if start == nil { start = value }
            } else if let open = start {
                result.append([open, value])
                start = nil
            }
        }
        if let open = start { result.append([open, to]) }
        return result
    }

    @Test func blocksMergeAndCountOnlyNewBytes() {
        var board = SACKScoreboard(maximumRanges: 4)
        #expect(board.isEmpty && board.highestSACKed == nil)
        #expect(board.add(start: seq(1100), end: seq(1200), unacknowledged: seq(1000), highestSent: seq(2000)) == 100)
        #expect(board.add(start: seq(1300), end: seq(1400), unacknowledged: seq(1000), highestSent: seq(2000)) == 100)
        #expect(board.add(start: seq(1150), end: seq(1350), unacknowledged: seq(1000), highestSent: seq(2000)) == 100)
        #expect(board.add(start: seq(1100), end: seq(1400), unacknowledged: seq(1000), highestSent: seq(2000)) == 0)
        #expect(ranges(board, from: 900, to: 2100) == [[1100, 1400]])
        #expect(board.sackedBytes == 300 && board.rangeCount == 1 && board.highestSACKed == seq(1400))
    }

    @Test func blocksBelowTheCumulativeACKOrBeyondWhatWasSentAreIgnored() {
        var board = SACKScoreboard(maximumRanges: 4)
        let una = seq(1000)
        let sent = seq(2000)
        #expect(board.add(start: seq(900), end: seq(1000), unacknowledged: una, highestSent: sent) == 0)  // D-SACK
        #expect(board.add(start: seq(1900), end: seq(2001), unacknowledged: una, highestSent: sent) == 0)
        #expect(board.add(start: seq(1500), end: seq(1500), unacknowledged: una, highestSent: sent) == 0)
        #expect(board.add(start: seq(1600), end: seq(1500), unacknowledged: una, highestSent: sent) == 0)
        #expect(board.isEmpty)
        // Cut at SND.UNA.
        #expect(board.add(start: seq(900), end: seq(1100), unacknowledged: una, highestSent: sent) == 100)
        #expect(ranges(board, from: 800, to: 2100) == [[1000, 1100]])
    }

    @Test func theCumulativeACKForgetsAndCutsRanges() {
        var board = SACKScoreboard(maximumRanges: 4)
        for start: UInt32 in [1100, 1300, 1500] {
            _ = board.add(start: seq(start), end: seq(start + 100), unacknowledged: seq(1000), highestSent: seq(2000))
        }
        board.acknowledge(upTo: seq(1350))
        #expect(ranges(board, from: 900, to: 2100) == [[1350, 1400], [1500, 1600]])
        #expect(board.sackedBytes == 150 && board.rangeCount == 2)
        board.acknowledge(upTo: seq(1600))
        #expect(board.isEmpty && board.sackedBytes == 0)
        _ = board.add(start: seq(1700), end: seq(1800), unacknowledged: seq(1600), highestSent: seq(2000))
        board.removeAll()
        #expect(board.isEmpty && board.sackedBytes == 0)
    }

    @Test func atTheBoundTheHighestRangesAreKept() {
        var board = SACKScoreboard(maximumRanges: 2)
        let una = seq(1000)
        let sent = seq(3000)
        _ = board.add(start: seq(1200), end: seq(1300), unacknowledged: una, highestSent: sent)
        _ = board.add(start: seq(1400), end: seq(1500), unacknowledged: una, highestSent: sent)
        #expect(board.add(start: seq(1600), end: seq(1650), unacknowledged: una, highestSent: sent) == 50)
        #expect(ranges(board, from: 900, to: 3100) == [[1400, 1500], [1600, 1650]])
        #expect(board.sackedBytes == 150)
        // The block would be the lowest range: it is the one dropped.
        #expect(board.add(start: seq(1100), end: seq(1150), unacknowledged: una, highestSent: sent) == 0)
        #expect(ranges(board, from: 900, to: 3100) == [[1400, 1500], [1600, 1650]])
        // A block that merges needs no new range.
        #expect(board.add(start: seq(1450), end: seq(1620), unacknowledged: una, highestSent: sent) == 100)
        #expect(ranges(board, from: 900, to: 3100) == [[1400, 1650]])
    }

    @Test func aByteIsLostBelowThreeSegmentsOrMoreThanTwoSegmentsOfSACKedBytes() {
        var board = SACKScoreboard(maximumRanges: 8)
        let una = seq(1000)
        _ = board.add(start: seq(1200), end: seq(1300), unacknowledged: una, highestSent: seq(5000))
        _ = board.add(start: seq(1400), end: seq(1500), unacknowledged: una, highestSent: seq(5000))
        #expect(!board.isLost(seq(1000), maximumSegmentSize: 100))  // two segments, 200 bytes
        _ = board.add(start: seq(1600), end: seq(1610), unacknowledged: una, highestSent: seq(5000))
        #expect(board.isLost(seq(1000), maximumSegmentSize: 100))  // three discontiguous segments
        #expect(!board.isLost(seq(1350), maximumSegmentSize: 100))
        _ = board.add(start: seq(1700), end: seq(1800), unacknowledged: una, highestSent: seq(5000))
        #expect(board.isLost(seq(1350), maximumSegmentSize: 100))
        #expect(board.isLost(seq(1350), maximumSegmentSize: 1000))  // three small segments are three
        #expect(!board.isLost(seq(1650), maximumSegmentSize: 1000))
        var single = SACKScoreboard(maximumRanges: 8)
        _ = single.add(start: seq(1100), end: seq(1300), unacknowledged: una, highestSent: seq(5000))
        #expect(!single.isLost(seq(1000), maximumSegmentSize: 100))  // exactly two segments' bytes
        _ = single.add(start: seq(1300), end: seq(1301), unacknowledged: una, highestSent: seq(5000))
        #expect(single.isLost(seq(1000), maximumSegmentSize: 100))  // one byte more
    }

    @Test func pipeCountsWhatIsNotLostAndRetransmissionsTwice() {
        var board = SACKScoreboard(maximumRanges: 8)
        let una = seq(1000)
        let next = seq(2000)
        _ = board.add(start: seq(1500), end: seq(1800), unacknowledged: una, highestSent: next)
        // [1000, 1500) is lost (3 segments SACKed above it); [1800, 2000) is in flight.
        #expect(board.pipe(unacknowledged: una, next: next, highestRetransmitted: una, maximumSegmentSize: 100) == 200)
        #expect(
            board.pipe(unacknowledged: una, next: next, highestRetransmitted: seq(1100), maximumSegmentSize: 100) == 300
        )
        // Nothing SACKed: everything outstanding is in the network.
        let empty = SACKScoreboard(maximumRanges: 8)
        #expect(empty.pipe(unacknowledged: una, next: next, highestRetransmitted: una, maximumSegmentSize: 100) == 1000)
    }

    @Test func nextSegmentIsTheFirstLostHoleAfterTheLastRetransmission() {
        var board = SACKScoreboard(maximumRanges: 8)
        let una = seq(1000)
        let next = seq(2000)
        _ = board.add(start: seq(1500), end: seq(1800), unacknowledged: una, highestSent: next)
        func nextHole(after highest: UInt32, onlyLost: Bool = false) -> [UInt32]? {
            board.nextHoleToRetransmit(
                unacknowledged: una, highestRetransmitted: seq(highest), next: next, maximumSegmentSize: 100,
                onlyLost: onlyLost
            ).map { [$0.start.rawValue, UInt32($0.length)] }
        }
        #expect(nextHole(after: 1000) == [1000, 100])
        #expect(nextHole(after: 1100) == [1100, 100])
        #expect(nextHole(after: 1450) == [1450, 50])  // never into the SACKed range
        #expect(nextHole(after: 1500) == nil)  // above the highest SACK is new data's turn
        #expect(nextHole(after: 900) == [1000, 100])
    }

    @Test func ruleThreeOffersAHoleThatIsNotYetLost() {
        var board = SACKScoreboard(maximumRanges: 8)
        let una = seq(1000)
        _ = board.add(start: seq(1500), end: seq(1600), unacknowledged: una, highestSent: seq(2000))
        #expect(!board.isLost(seq(1000), maximumSegmentSize: 100))
        let lostOnly = board.nextHoleToRetransmit(
            unacknowledged: una, highestRetransmitted: una, next: seq(2000), maximumSegmentSize: 100, onlyLost: true)
        #expect(lostOnly == nil)
        let rescue = board.nextHoleToRetransmit(
            unacknowledged: una, highestRetransmitted: una, next: seq(2000), maximumSegmentSize: 100)
        #expect(rescue?.start == una && rescue?.length == 100)
    }

    @Test func rangesAcrossTheWrapOfTheSequenceSpace() {
        var board = SACKScoreboard(maximumRanges: 4)
        let una = seq(UInt32.max - 99)
        let sent = una + 1000
        #expect(board.add(start: una + 50, end: una + 250, unacknowledged: una, highestSent: sent) == 200)
        #expect(board.isSACKed(seq(0)) && board.isSACKed(seq(UInt32.max)) && !board.isSACKed(una))
        #expect(board.highestSACKed == seq(150))
        #expect(board.pipe(unacknowledged: una, next: sent, highestRetransmitted: una, maximumSegmentSize: 50) == 750)
        board.acknowledge(upTo: seq(100))
        #expect(board.sackedBytes == 50)
    }

    /// A random sender over a set of SACKed offsets (from `origin`, across the 2³² wrap).
    @Test func randomBlocksAgreeWithASetOfOffsets() {
        for seed: UInt64 in 1...8 {
            var random = SeededRandom(seed: seed)
            let origin = TCPSequenceNumber(UInt32.max - UInt32(random.below(3000)))
            let limit = 1 + Int(random.below(5))
            let mss = 10 + Int(random.below(40))
            var board = SACKScoreboard(maximumRanges: limit)
            var sacked = Set<Int>()
            var una = 0
            var sent = 500
            var currentRuns = runs(of: sacked)
            func lost(_ offset: Int) -> Bool {
                var bytes = 0
                var segments = 0
                for run in currentRuns where run.end > offset + 1 {
                    let above = run.end - max(run.start, offset + 1)
                    bytes += above
                    segments += (above + mss - 1) / mss
                }
                return segments >= 3 || bytes > 2 * mss
            }
            for step in 0..<800 {
                let action = random.below(10)
                if action < 6 {
                    let start = una - 50 + Int(random.below(UInt64(sent - una + 100)))
                    let end = start - 10 + Int(random.below(200))
                    var expected = 0
                    if end > start && end > una && end <= sent {
                        let block = Set(max(start, una)..<end)
                        var after = sacked.union(block)
                        let fresh = block.subtracting(sacked).count
                        let afterRuns = runs(of: after)
                        if afterRuns.count > limit {
                            let lowest = afterRuns[0]
                            if lowest.start == max(start, una) && lowest.end == end && fresh == block.count {
                                after = sacked
                            } else {
                                after.subtract(lowest.start..<lowest.end)
                                expected = fresh
                            }
                        } else {
                            expected = fresh
                        }
                        sacked = after
                    }
                    let added = board.add(
                        start: origin + start, end: origin + end, unacknowledged: origin + una,
                        highestSent: origin + sent)
                    #expect(added == expected, "seed \(seed) step \(step)")
                } else if action < 8 {
                    una = min(sent, una + Int(random.below(150)))
                    sacked = sacked.filter { $0 >= una }
                    board.acknowledge(upTo: origin + una)
                } else if sent - una < 1500 {
                    sent += Int(random.below(200))
                }
                currentRuns = runs(of: sacked)
                #expect(board.sackedBytes == sacked.count, "seed \(seed) step \(step)")
                #expect(board.rangeCount == currentRuns.count, "seed \(seed) step \(step)")
                #expect(board.highestSACKed == sacked.max().map { origin + ($0 + 1) }, "seed \(seed) step \(step)")
                for _ in 0..<5 {
                    let offset = una - 5 + Int(random.below(UInt64(sent - una + 10)))
                    #expect(board.isSACKed(origin + offset) == sacked.contains(offset), "seed \(seed) step \(step)")
                    #expect(
                        board.isLost(origin + offset, maximumSegmentSize: mss) == lost(offset),
                        "seed \(seed) step \(step)")
                }
                let retransmitted = una + Int(random.below(UInt64(sent - una + 1)))
                var pipe = 0
                for offset in una..<sent where !sacked.contains(offset) {
                    pipe += (lost(offset) ? 0 : 1) + (offset < retransmitted ? 1 : 0)
                }
                #expect(
                    board.pipe(
                        unacknowledged: origin + una, next: origin + sent, highestRetransmitted: origin + retransmitted,
                        maximumSegmentSize: mss) == pipe, "seed \(seed) step \(step)")
                let top = (sacked.max() ?? una - 1) + 1
                let candidates = (retransmitted..<max(top, retransmitted)).filter { !sacked.contains($0) }
                for onlyLost in [true, false] {
                    var expected: [Int]?
                    if let first = candidates.first(where: lost) ?? (onlyLost ? nil : candidates.first) {
                        var length = 0
                        while length < mss && first + length < top && !sacked.contains(first + length) { length += 1 }
                        expected = [first, length]
                    }
                    let hole = board.nextHoleToRetransmit(
                        unacknowledged: origin + una, highestRetransmitted: origin + retransmitted, next: origin + sent,
                        maximumSegmentSize: mss, onlyLost: onlyLost)
                    #expect(
                        hole.map { [$0.start - origin, $0.length] } == expected, "seed \(seed) step \(step) \(onlyLost)"
                    )
                }
            }
        }
    }
}
