// Which frames are free: one bit per frame plus a cursor below which every word is full, so
// finding the lowest free frames skips the allocated prefix instead of walking the pool.
import ExoWire

/// A bitmap of free frames (bit set = free). Invariant: `count` equals the number of set bits,
/// and no word before `cursor` has a set bit.
struct FreeMap {
    private var words: [UInt64]
    private var cursor: Int = 0
    /// Number of free frames.
    private(set) var count: UInt32

    /// A map of `frameCount` frames, all free.
    init(frameCount: UInt32) {
        let wordCount = (Int(frameCount) + 63) / 64
        words = Array(repeating: ~0, count: wordCount)
        let tail = Int(frameCount) % 64
        if tail != 0 { words[wordCount - 1] = (1 << UInt64(tail)) - 1 }
        count = frameCount
    }

    func isFree(_ frame: FrameNumber) -> Bool {
        words[Int(frame / 64)] & Self.bit(frame) != 0
    }

    /// Marks a free frame allocated.
    mutating func take(_ frame: FrameNumber) {
        precondition(isFree(frame), "FreeMap.take of an allocated frame")
        words[Int(frame / 64)] &= ~Self.bit(frame)
        count -= 1
    }

    /// Marks an allocated frame free.
    mutating func release(_ frame: FrameNumber) {
        precondition(!isFree(frame), "FreeMap.release of a free frame")
        let word = Int(frame / 64)
        words[word] |= Self.bit(frame)
        count += 1
        cursor = min(cursor, word)
    }

    /// The `wanted` lowest free frames in ascending order, or nil if fewer are free. Takes
    /// nothing; it only moves the cursor past words it finds full.
    mutating func lowestFree(_ wanted: Int) -> [FrameNumber]? {
        guard wanted <= Int(count) else { return nil }
        var found: [FrameNumber] = []
        found.reserveCapacity(wanted)
        while cursor < words.count && words[cursor] == 0 { cursor += 1 }
        var word = cursor
        while found.count < wanted {
            var bits = words[word]
            while bits != 0 && found.count < wanted {
                found.append(FrameNumber(word * 64 + bits.trailingZeroBitCount))
                bits &= bits - 1
            }
            word += 1
        }
        return found
    }

    private static func bit(_ frame: FrameNumber) -> UInt64 { 1 << UInt64(frame % 64) }
}
