// The sender's record of what the peer reported with SACK (RFC 2018) above SND.UNA, and RFC
// 6675's questions over it: is this byte lost, how much is in the network, what to resend.

import ExoPacket

/// SACKed ranges above SND.UNA: bounded, sorted, disjoint, not adjacent; storage allocated
/// once at init. Every range lies within half the sequence space above SND.UNA, so modulo-2³²
/// comparisons order them. Bytes here are RFC 6675's "octets"; a hole is a run of un-SACKed
/// bytes between SND.UNA and a SACKed range.
struct SACKScoreboard {
    /// RFC 6675's DupThresh.
    static let duplicateThreshold = 3

    let maximumRanges: Int
    private var starts: [TCPSequenceNumber]
    private var ends: [TCPSequenceNumber]
    private(set) var rangeCount = 0
    /// Bytes SACKed in all ranges.
    private(set) var sackedBytes = 0

    init(maximumRanges: Int) {
        precondition(maximumRanges > 0, "a scoreboard keeps at least one range")
        self.maximumRanges = maximumRanges
        starts = [TCPSequenceNumber](repeating: TCPSequenceNumber(0), count: maximumRanges)
        ends = starts
    }

    var isEmpty: Bool { rangeCount == 0 }

    /// The end (exclusive) of the highest SACKed range.
    var highestSACKed: TCPSequenceNumber? { rangeCount > 0 ? ends[rangeCount - 1] : nil }

    mutating func removeAll() {
        rangeCount = 0
        sackedBytes = 0
    }

    /// The cumulative ACK reached `unacknowledged`: ranges below it go, one across it is cut.
    mutating func acknowledge(upTo unacknowledged: TCPSequenceNumber) {
        var gone = 0
        while gone < rangeCount && !ends[gone].isAfter(unacknowledged) {
            sackedBytes -= ends[gone] - starts[gone]
            gone += 1
        }
        move(from: gone, to: 0)
        if rangeCount > 0 && starts[0].isBefore(unacknowledged) {
            sackedBytes -= unacknowledged - starts[0]
            starts[0] = unacknowledged
        }
    }

    /// Records the SACK block [start, end) and returns how many bytes it newly SACKed. A
    /// block ending at or below SND.UNA (a D-SACK, RFC 2883) or ending beyond `highestSent`
    /// (nothing the sender sent: a bogus or stale block) is ignored; one starting below
    /// SND.UNA is cut there. When the block needs a range beyond `maximumRanges`, the lowest
    /// range is forgotten (those bytes may be resent needlessly, never wrongly skipped); when
    /// the block itself is the lowest, it is the one dropped and the answer is 0.
    mutating func add(
        start: TCPSequenceNumber, end: TCPSequenceNumber, unacknowledged: TCPSequenceNumber,
        highestSent: TCPSequenceNumber
    ) -> Int {
        guard (end - start) > 0, end.isAfter(unacknowledged), !end.isAfter(highestSent) else { return 0 }
        let start = TCPSequenceNumber.max(start, unacknowledged)
        // Ranges first ..< last overlap or touch the block.
        var first = 0
        while first < rangeCount && ends[first].isBefore(start) { first += 1 }
        var last = first
        var covered = 0
        while last < rangeCount && !starts[last].isAfter(end) {
            covered += max(TCPSequenceNumber.min(end, ends[last]) - TCPSequenceNumber.max(start, starts[last]), 0)
            last += 1
        }
        let added = (end - start) - covered
        if first == last {
            if rangeCount == maximumRanges {
                guard first > 0 else { return 0 }
                sackedBytes -= ends[0] - starts[0]
                move(from: 1, to: 0)
                first -= 1
            }
            move(from: first, to: first + 1)
            starts[first] = start
            ends[first] = end
        } else {
            starts[first] = TCPSequenceNumber.min(start, starts[first])
            ends[first] = TCPSequenceNumber.max(end, ends[last - 1])
            move(from: last, to: first + 1)
        }
        sackedBytes += added
        return added
    }

    func isSACKed(_ sequence: TCPSequenceNumber) -> Bool {
        for index in 0..<rangeCount where sequence.isWithin(starts[index], length: ends[index] - starts[index]) {
            return true
        }
        return false
    }

    /// RFC 6675 IsLost(SeqNum): DupThresh SACKed segments (each range counted as whole
    /// segments, rounded up) or more than (DupThresh − 1)·MSS SACKed bytes above `sequence`.
    func isLost(_ sequence: TCPSequenceNumber, maximumSegmentSize mss: Int) -> Bool {
        var bytes = 0
        var segments = 0
        for index in 0..<rangeCount {
            let above = ends[index] - TCPSequenceNumber.max(starts[index], sequence + 1)
            guard above > 0 else { continue }
            bytes += above
            segments += (above + mss - 1) / mss
        }
        return Self.isLost(sackedBytesAbove: bytes, segmentsAbove: segments, maximumSegmentSize: mss)
    }

    /// RFC 6675 SetPipe: every un-SACKed byte in [SND.UNA, `next`) counts once unless it is
    /// lost, and once more if it was retransmitted (below `highestRetransmitted`, the end of
    /// the retransmitted bytes, which is SND.UNA when nothing was).
    func pipe(
        unacknowledged: TCPSequenceNumber, next: TCPSequenceNumber, highestRetransmitted: TCPSequenceNumber,
        maximumSegmentSize mss: Int, lostBelow: TCPSequenceNumber? = nil
    ) -> Int {
        var total = 0
        let retransmittedEnd = max(highestRetransmitted - unacknowledged, 0)
        forEachHole(unacknowledged: unacknowledged, next: next, maximumSegmentSize: mss, lostBelow: lostBelow) {
            start, end, lost in
            if !lost { total += end - start }
            total += max(min(end, retransmittedEnd) - start, 0)
            return true
        }
        return total
    }

    /// RFC 6675 NextSeg for retransmission: rule 1, the first lost byte at or after
    /// `highestRetransmitted` below the highest SACKed byte; failing that, rule 3, the first
    /// un-SACKed byte there, lost or not (unless `onlyLost`). The segment is at most one MSS
    /// and ends before the next SACKed range. RFC 6675 puts new data (rule 2) before rule 3:
    /// a sender with new data to send asks with `onlyLost: true` first. `lostBelow` (RACK's
    /// time-based marking, RFC 8985) makes every hole starting below it lost as well.
    func nextHoleToRetransmit(
        unacknowledged: TCPSequenceNumber, highestRetransmitted: TCPSequenceNumber, next: TCPSequenceNumber,
        maximumSegmentSize mss: Int, onlyLost: Bool = false, lostBelow: TCPSequenceNumber? = nil
    ) -> (start: TCPSequenceNumber, length: Int)? {
        let from = max(highestRetransmitted - unacknowledged, 0)
        var found: (start: TCPSequenceNumber, length: Int)?
        forEachHole(unacknowledged: unacknowledged, next: next, maximumSegmentSize: mss, lostBelow: lostBelow) {
            start, end, lost in
            // Holes at or above the highest SACKed byte are reported with `end` past it; the
            // top one (no SACKed range above) is never a retransmission candidate.
            guard end > from, lost || !onlyLost, !isTopHole(start: start, unacknowledged: unacknowledged) else {
                return end <= from
            }
            let first = max(start, from)
            found = (unacknowledged + first, min(end - first, mss))
            return false
        }
        return found
    }

    // MARK: - Holes

    /// Calls `body(start, end, lost)` for each hole in [SND.UNA, `next`), lowest first, with
    /// offsets from SND.UNA, until it returns false. A hole's bytes all share one IsLost
    /// answer: the SACKed bytes above any of them are the same ranges.
    private func forEachHole(
        unacknowledged: TCPSequenceNumber, next: TCPSequenceNumber, maximumSegmentSize mss: Int,
        lostBelow: TCPSequenceNumber? = nil, _ body: (_ start: Int, _ end: Int, _ lost: Bool) -> Bool
    ) {
        let limit = max(next - unacknowledged, 0)
        let markedLost = lostBelow.map { max($0 - unacknowledged, 0) } ?? 0
        var bytesAbove = 0
        var segmentsAbove = 0
        // Only what lies above SND.UNA counts (ranges below it linger until `acknowledge`).
        func lengthAbove(_ index: Int) -> Int {
            max(ends[index] - TCPSequenceNumber.max(starts[index], unacknowledged), 0)
        }
        for index in 0..<rangeCount {
            bytesAbove += lengthAbove(index)
            segmentsAbove += (lengthAbove(index) + mss - 1) / mss
        }
        var cursor = 0
        for index in 0..<rangeCount {
            let start = min(max(starts[index] - unacknowledged, 0), limit)
            let end = min(max(ends[index] - unacknowledged, 0), limit)
            if start > cursor {
                let lost =
                    cursor < markedLost
                    || Self.isLost(sackedBytesAbove: bytesAbove, segmentsAbove: segmentsAbove, maximumSegmentSize: mss)
                guard body(cursor, start, lost) else { return }
            }
            bytesAbove -= lengthAbove(index)
            segmentsAbove -= (lengthAbove(index) + mss - 1) / mss
            cursor = max(cursor, end)
        }
        if limit > cursor { _ = body(cursor, limit, false) }
    }

    /// The end of the SACKed range holding `sequence`, or nil when it is not SACKed.
    func sackedRangeEnd(containing sequence: TCPSequenceNumber) -> TCPSequenceNumber? {
        for index in 0..<rangeCount where sequence.isWithin(starts[index], length: ends[index] - starts[index]) {
            return ends[index]
        }
        return nil
    }

    /// The start of the lowest SACKed range above `sequence`, or nil.
    func nextSACKedStart(after sequence: TCPSequenceNumber) -> TCPSequenceNumber? {
        for index in 0..<rangeCount where starts[index].isAfter(sequence) { return starts[index] }
        return nil
    }

    private func isTopHole(start: Int, unacknowledged: TCPSequenceNumber) -> Bool {
        guard let highest = highestSACKed else { return true }
        return start >= highest - unacknowledged
    }

    private static func isLost(sackedBytesAbove bytes: Int, segmentsAbove segments: Int, maximumSegmentSize mss: Int)
        -> Bool
    {
        segments >= duplicateThreshold || bytes > (duplicateThreshold - 1) * mss
    }

    /// Moves ranges `source ..< rangeCount` so the first lands at `destination`.
    private mutating func move(from source: Int, to destination: Int) {
        let moved = rangeCount - source
        if destination > source {
            for index in stride(from: moved - 1, through: 0, by: -1) {
                starts[destination + index] = starts[source + index]
                ends[destination + index] = ends[source + index]
            }
        } else if destination < source {
            for index in 0..<moved {
                starts[destination + index] = starts[source + index]
                ends[destination + index] = ends[source + index]
            }
        }
        rangeCount = destination + moved
    }
}
