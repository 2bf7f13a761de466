// The one source of randomness for impairments and simulations: xoshiro256** seeded through
// SplitMix64, so a 64-bit seed printed by a failing test replays the run exactly.

/// A deterministic pseudo-random generator (xoshiro256**). Not for cryptography: for loss,
/// reordering and test inputs that must repeat from their seed.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// A generator whose whole sequence is determined by `seed` (any value, zero included).
    public init(seed: UInt64) {
        // SplitMix64 spreads the seed over the 256-bit state, which must not be all zeros.
        var mixer = seed
        func splitMix() -> UInt64 {
            mixer &+= 0x9E37_79B9_7F4A_7C15
            var z = mixer
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix()
        s1 = splitMix()
        s2 = splitMix()
        s3 = splitMix()
    }

    public mutating func next() -> UInt64 {
        let result = rotate(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotate(s3, 45)
        return result
    }

    /// A uniform value in [0, 1) with 53 random bits.
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// True with probability `probability` (0 never draws true, 1 always).
    public mutating func chance(_ probability: Double) -> Bool {
        guard probability > 0 else { return false }
        return unit() < probability
    }

    /// A uniform value in `0..<bound` (bound > 0), without modulo bias.
    public mutating func below(_ bound: UInt64) -> UInt64 {
        precondition(bound > 0, "empty range")
        return next(upperBound: bound)
    }

    /// A generator for a sub-stream (one per link, say), independent of this one's draws.
    public func derived(_ salt: UInt64) -> SeededRandom {
        var copy = self
        return SeededRandom(seed: copy.next() ^ (salt &* 0xD1B5_4A32_D192_ED03))
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
