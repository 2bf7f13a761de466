// Which bytes beyond RCV.NXT the receive ring already holds (out-of-order segments written
// ahead of the tail), as a bounded, sorted list of disjoint ranges; and the SACK blocks
// that report them.

/// Out-of-order data bookkeeping over the receive ring, with offsets relative to RCV.NXT.
/// The ranges are disjoint, not adjacent (touching ranges merge) and sorted; their storage
/// is allocated once, at init.
struct ReceiveAssembler {
    let maximumRanges: Int
    private var starts: [Int]
    private var ends: [Int]
    /// When each range last grew, for RFC 2018's "most recent first" order of SACK blocks.
    private var stamps: [UInt64]
    private(set) var rangeCount = 0
    private var clock: UInt64 = 0

    init(maximumRanges: Int) {
        precondition(maximumRanges > 0, "an assembler keeps at least one range")
        self.maximumRanges = maximumRanges
        starts = [Int](repeating: 0, count: maximumRanges)
        ends = [Int](repeating: 0, count: maximumRanges)
        stamps = [UInt64](repeating: 0, count: maximumRanges)
    }

    var isEmpty: Bool { rangeCount == 0 }

    /// Records that bytes [offset, offset + length) beyond RCV.NXT are now in the ring.
    /// Overlapping and touching ranges merge. Returns false, recording nothing, when the bytes
    /// would need a range more than `maximumRanges` (the caller drops the segment and counts it).
    mutating func insert(offset: Int, length: Int) -> Bool {
        let start = max(offset, 0)
        let end = offset + length
        guard end > start else { return true }
        // Ranges first ..< last are the ones the new bytes overlap or touch.
        var first = 0
        while first < rangeCount && ends[first] < start { first += 1 }
        var last = first
        while last < rangeCount && starts[last] <= end { last += 1 }
        clock += 1
        if first == last {
            guard rangeCount < maximumRanges else { return false }
            move(from: first, to: first + 1)
            starts[first] = start
            ends[first] = end
        } else {
            starts[first] = min(start, starts[first])
            ends[first] = max(end, ends[last - 1])
            move(from: last, to: first + 1)
        }
        stamps[first] = clock
        return true
    }

    /// RCV.NXT advanced by `count` in-order bytes: removes the ranges those bytes reach or
    /// touch and returns how many bytes beyond them are contiguous from the new front (the
    /// caller advances RCV.NXT by `count` plus that). The other ranges move down.
    mutating func advance(by count: Int) -> Int {
        var front = max(count, 0)
        var taken = 0
        while taken < rangeCount && starts[taken] <= front {
            front = max(front, ends[taken])
            taken += 1
        }
        move(from: taken, to: 0)
        for index in 0..<rangeCount {
            starts[index] -= front
            ends[index] -= front
        }
        return front - max(count, 0)
    }

    /// SACK blocks (RFC 2018 §4): first the range that grew last (it holds the segment that
    /// arrived last), then the others, most recently grown first; at most `limit` of them.
    /// Offsets are relative to RCV.NXT, `end` exclusive.
    func forEachSACKRange(limit: Int, _ body: (_ start: Int, _ end: Int) -> Void) {
        var below = UInt64.max
        for _ in 0..<min(max(limit, 0), rangeCount) {
            var newest = -1
            for index in 0..<rangeCount where stamps[index] < below && (newest < 0 || stamps[index] > stamps[newest]) {
                newest = index
            }
            body(starts[newest], ends[newest])
            below = stamps[newest]
        }
    }

    /// Moves ranges `source ..< rangeCount` so the first lands at `destination`, adjusting the
    /// count (one slot up to make room, or down over removed ranges).
    private mutating func move(from source: Int, to destination: Int) {
        let moved = rangeCount - source
        if destination > source {
            for index in stride(from: moved - 1, through: 0, by: -1) { copy(source + index, to: destination + index) }
        } else if destination < source {
            for index in 0..<moved { copy(source + index, to: destination + index) }
        }
        rangeCount = destination + moved
    }

    private mutating func copy(_ source: Int, to destination: Int) {
        starts[destination] = starts[source]
        ends[destination] = ends[source]
        stamps[destination] = stamps[source]
    }
}
