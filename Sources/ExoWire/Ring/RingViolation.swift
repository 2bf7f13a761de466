// The peer-index check both ring ends apply to the other side's counter: what values a
// well-behaved peer could have written, and the typed error for any other value.

/// A peer's index in shared memory that no well-behaved peer could have written. The ring
/// end that reports it has not moved: its private counters are those of the last valid
/// observation, and nothing was read or written on the strength of the bad value.
public enum RingViolation: Error, Equatable, Sendable {
    /// The producer index claims more than `capacity` entries past our consumer index, or
    /// moved backwards past entries it had already published.
    case producerIndex(observed: UInt32, consumer: UInt32, lastSeen: UInt32)
    /// The consumer index claims to have taken entries never produced, or moved backwards.
    case consumerIndex(observed: UInt32, producer: UInt32, lastSeen: UInt32)
}

/// Which peer indices are believable. Free-running u32 counters: every distance is taken
/// with wrapping subtraction, which is exact because capacities stay far below 2^31.
enum RingIndexCheck {
    /// A consumer's view of the producer index: it must lie in `lastSeen...consumer+capacity`
    /// (not behind what was seen before, at most a full ring ahead of what was consumed).
    @inline(__always)
    static func producerIsBelievable(
        observed: UInt32, consumer: UInt32, lastSeen: UInt32, capacity: UInt32
    ) -> Bool {
        let ahead = observed &- consumer
        return ahead <= capacity && ahead >= lastSeen &- consumer
    }

    /// A producer's view of the consumer index: it must lie in `lastSeen...producer`
    /// (the consumer never goes back, and never takes what was not yet published).
    @inline(__always)
    static func consumerIsBelievable(observed: UInt32, producer: UInt32, lastSeen: UInt32) -> Bool {
        observed &- lastSeen <= producer &- lastSeen
    }
}
