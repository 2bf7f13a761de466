// The receive side's out-of-order bookkeeping: merging, the range bound, advancing RCV.NXT,
// RFC 2018's order of SACK blocks, and random segments against a set of offsets.

import ExoImpairment
import Testing

@testable import ExOS

@Suite struct ReceiveAssemblerTests {
    private func blocks(_ assembler: ReceiveAssembler, limit: Int = .max) -> [[Int]] {
        var result: [[Int]] = []
        assembler.forEachSACKRange(limit: limit) { result.append([$0, $1]) }
        return result
    }

    private func sorted(_ assembler: ReceiveAssembler) -> [[Int]] {
        blocks(assembler).sorted { $0[0] < $1[0] }
    }

    @Test func dataAfterAHoleWaitsUntilTheHoleFills() {
        var assembler = ReceiveAssembler(maximumRanges: 4)
        #expect(assembler.isEmpty)
        #expect(assembler.insert(offset: 10, length: 5) == true)
        #expect(assembler.rangeCount == 1 && sorted(assembler) == [[10, 15]])
        #expect(assembler.advance(by: 4) == 0)  // the hole is only partly filled
        #expect(sorted(assembler) == [[6, 11]])
        #expect(assembler.advance(by: 6) == 5)
        #expect(assembler.isEmpty)
    }

    @Test func overlappingTouchingAndDuplicateRangesMerge() {
        var assembler = ReceiveAssembler(maximumRanges: 4)
        #expect(assembler.insert(offset: 10, length: 10) == true)
        #expect(assembler.insert(offset: 30, length: 10) == true)
        #expect(assembler.insert(offset: 20, length: 5) == true)  // touches the first
        #expect(sorted(assembler) == [[10, 25], [30, 40]])
        #expect(assembler.insert(offset: 12, length: 3) == true)  // a duplicate
        #expect(assembler.insert(offset: 24, length: 7) == true)  // bridges the two
        #expect(sorted(assembler) == [[10, 40]])
        #expect(assembler.insert(offset: 5, length: 50) == true)  // covers everything
        #expect(sorted(assembler) == [[5, 55]])
        #expect(assembler.insert(offset: 3, length: 0) == true)
        #expect(assembler.rangeCount == 1)
    }

    @Test func aSegmentNeedingOneRangeTooManyIsRefused() {
        var assembler = ReceiveAssembler(maximumRanges: 2)
        #expect(assembler.insert(offset: 10, length: 5) == true)
        #expect(assembler.insert(offset: 30, length: 5) == true)
        #expect(assembler.insert(offset: 20, length: 5) == false)
        #expect(assembler.insert(offset: 50, length: 5) == false)
        #expect(sorted(assembler) == [[10, 15], [30, 35]])
        #expect(assembler.insert(offset: 15, length: 15) == true)  // merges: no new range needed
        #expect(sorted(assembler) == [[10, 35]])
    }

    @Test func inOrderDataCanSwallowSeveralRanges() {
        var assembler = ReceiveAssembler(maximumRanges: 4)
        for offset in [10, 20, 30, 50] { #expect(assembler.insert(offset: offset, length: 5) == true) }
        #expect(assembler.advance(by: 32) == 3)  // reaches into [30, 35)
        #expect(sorted(assembler) == [[15, 20]])
    }

    @Test func sackBlocksListTheLatestSegmentsRangeFirst() {
        var assembler = ReceiveAssembler(maximumRanges: 8)
        for offset in [10, 30, 50, 70] { #expect(assembler.insert(offset: offset, length: 5) == true) }
        #expect(blocks(assembler) == [[70, 75], [50, 55], [30, 35], [10, 15]])
        #expect(assembler.insert(offset: 32, length: 1) == true)  // a duplicate still comes first
        #expect(blocks(assembler, limit: 3) == [[30, 35], [70, 75], [50, 55]])
        #expect(assembler.insert(offset: 15, length: 3) == true)  // grows the oldest
        #expect(blocks(assembler, limit: 2) == [[10, 18], [30, 35]])
        #expect(blocks(assembler, limit: 0) == [])
    }

    @Test func randomSegmentsAgreeWithASetOfOffsets() {
        for seed: UInt64 in 1...8 {
            var random = SeededRandom(seed: seed)
            let limit = 1 + Int(random.below(6))
            var assembler = ReceiveAssembler(maximumRanges: limit)
            var held = Set<Int>()  // offsets beyond RCV.NXT the model holds
            var lastSegment = 0
            for step in 0..<1500 {
                if random.chance(0.8) {
                    let offset = Int(random.below(300))
                    let length = Int(random.below(40))
                    let after = held.union(offset..<(offset + length))
                    let fits = runs(of: after).count <= limit
                    #expect(assembler.insert(offset: offset, length: length) == fits, "seed \(seed) step \(step)")
                    if fits && length > 0 {
                        held = after
                        lastSegment = offset
                    }
                } else {
                    let count = Int(random.below(60))
                    var front = count
                    while held.contains(front) { front += 1 }
                    #expect(assembler.advance(by: count) == front - count, "seed \(seed) step \(step)")
                    held = Set(held.filter { $0 >= front }.map { $0 - front })
                    lastSegment -= front
                }
                let expected = runs(of: held).map { [$0.start, $0.end] }
                #expect(sorted(assembler) == expected, "seed \(seed) step \(step)")
                #expect(assembler.rangeCount == expected.count)
                if held.contains(lastSegment), let first = blocks(assembler, limit: 1).first {
                    #expect(first[0] <= lastSegment && lastSegment < first[1], "seed \(seed) step \(step)")
                }
            }
        }
    }
}
