// A set of frame numbers as a bitmap sized to the pool: the packet path's "is this frame
// already on one of my rings?" test without hashing.

import ExoWire

/// Frames `0..<capacity`, one bit each. Membership tests and updates are a word load and a
/// store; the words are allocated once, at creation. Frames outside the range are never
/// members (callers bound-check descriptors first; this only refuses to trap on them).
struct FrameSet {
    private var words: [UInt64]
    private let capacity: UInt32
    private(set) var count = 0

    init(capacity: UInt32) {
        self.capacity = capacity
        words = Array(repeating: 0, count: (Int(capacity) + 63) / 64)
    }

    func contains(_ frame: FrameNumber) -> Bool {
        frame < capacity && words[Int(frame / 64)] & (1 << UInt64(frame % 64)) != 0
    }

    /// Adds `frame`; returns false if it was already a member (or is out of range).
    @discardableResult
    mutating func insert(_ frame: FrameNumber) -> Bool {
        guard frame < capacity else { return false }
        let word = Int(frame / 64)
        let bit: UInt64 = 1 << UInt64(frame % 64)
        guard words[word] & bit == 0 else { return false }
        words[word] |= bit
        count += 1
        return true
    }

    mutating func remove(_ frame: FrameNumber) {
        guard frame < capacity else { return }
        let word = Int(frame / 64)
        let bit: UInt64 = 1 << UInt64(frame % 64)
        if words[word] & bit != 0 {
            words[word] &= ~bit
            count -= 1
        }
    }

    mutating func removeAll() {
        for index in words.indices { words[index] = 0 }
        count = 0
    }
}
