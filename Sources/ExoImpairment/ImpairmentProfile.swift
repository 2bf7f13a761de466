// What a link does wrong, as numbers: the configuration an impairment model draws its
// decisions from. One profile per direction of a link; all times in nanoseconds.

/// Two-state (Gilbert–Elliott) burst loss: a good and a bad state with their own loss
/// probabilities and per-packet probabilities of moving between them. Mean burst length
/// in the bad state is 1 / `badToGood` packets.
public struct BurstLoss: Hashable, Sendable {
    /// Probability, per packet in the good state, of moving to the bad state.
    public var goodToBad: Double
    /// Probability, per packet in the bad state, of moving back to the good state.
    public var badToGood: Double
    /// Loss probability in the good state (often 0).
    public var lossInGood: Double
    /// Loss probability in the bad state (often 1).
    public var lossInBad: Double

    public init(goodToBad: Double, badToGood: Double, lossInGood: Double = 0, lossInBad: Double = 1) {
        self.goodToBad = goodToBad
        self.badToGood = badToGood
        self.lossInGood = lossInGood
        self.lossInBad = lossInBad
    }

    /// Long-run fraction of packets lost: the stationary probability of each state times its loss.
    public var meanLoss: Double {
        let total = goodToBad + badToGood
        guard total > 0 else { return lossInGood }
        let bad = goodToBad / total
        return (1 - bad) * lossInGood + bad * lossInBad
    }
}

/// The impairments of one direction of a link. The default is a perfect link.
public struct ImpairmentProfile: Hashable, Sendable {
    /// Independent loss probability per packet (applied besides `burstLoss`).
    public var loss: Double = 0
    /// Correlated loss; nil for none.
    public var burstLoss: BurstLoss?
    /// Probability that a delivered packet is delivered twice.
    public var duplicate: Double = 0
    /// Probability that a packet is held back by `reorderGap`, so later packets overtake it.
    public var reorder: Double = 0
    /// How long a reordered packet is held back beyond its normal delivery time.
    public var reorderGap: UInt64 = 1_000_000
    /// Fixed one-way delay.
    public var delay: UInt64 = 0
    /// Uniform jitter in ±`jitter` around `delay`. Jitter alone never reorders: a packet
    /// leaves no earlier than the one before it (only `reorder` reorders).
    public var jitter: UInt64 = 0
    /// Probability that one bit of a delivered packet is flipped.
    public var corrupt: Double = 0
    /// Link rate in bits per second; 0 for unlimited. Packets queue behind each other.
    public var rateBitsPerSecond: UInt64 = 0
    /// Longest a packet may wait for the rate-limited link before it is dropped (tail drop).
    public var queueLimit: UInt64 = 50_000_000

    public init() {}

    /// Random loss only: the commonest test profile.
    public static func loss(_ probability: Double) -> ImpairmentProfile {
        var profile = ImpairmentProfile()
        profile.loss = probability
        return profile
    }

    /// True when the profile does nothing to any packet.
    public var isPerfect: Bool { self == ImpairmentProfile() }
}
