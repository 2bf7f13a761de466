// What an impairment model decided for one packet: lost (and why), or delivered at a time,
// possibly twice, possibly with one bit flipped. A plain value: nothing to free.

/// Why a packet did not get through.
public enum ImpairmentLoss: Hashable, Sendable, CaseIterable {
    /// Independent random loss.
    case random
    /// Loss in a Gilbert–Elliott state.
    case burst
    /// The rate-limited link's queue would have held it longer than `queueLimit`.
    case rateQueueFull
}

/// One bit to flip in a delivered packet.
public struct Corruption: Hashable, Sendable {
    /// Byte offset in the packet (below its length).
    public var offset: Int
    /// A mask with exactly one bit set.
    public var mask: UInt8

    public init(offset: Int, mask: UInt8) {
        self.offset = offset
        self.mask = mask
    }
}

/// The fate of one packet.
public enum ImpairmentVerdict: Hashable, Sendable {
    case lost(ImpairmentLoss)
    /// Deliver at `at` (nanoseconds, same clock as the model's `now`); when `duplicateAt`
    /// is set, deliver an identical copy then too. `corruption` applies to the first copy.
    case deliver(at: UInt64, duplicateAt: UInt64?, corruption: Corruption?)

    /// True for `.deliver`.
    public var isDelivered: Bool {
        if case .deliver = self { return true }
        return false
    }
}
