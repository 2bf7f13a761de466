// The seeded impairment model: a pure value that, given the time a packet is offered and
// its length, decides its fate. The simulated network of ExOS and the daemon's impairment
// decorator both drive one per direction of a link, so a seed means the same thing in both.

/// A link direction's impairments and the state they keep (burst state, rate queue, last
/// departure). Deterministic: the same profile, seed and sequence of `(now, length)` calls
/// give the same verdicts. Allocation-free.
public struct ImpairmentModel: Sendable {
    public let profile: ImpairmentProfile
    /// The seed it was created with, for failure messages and replay.
    public let seed: UInt64
    private var random: SeededRandom
    /// In the Gilbert–Elliott bad state.
    private var inBadState = false
    /// When the rate-limited link finishes sending what it has queued.
    private var linkFreeAt: UInt64 = 0
    /// Delivery time of the last packet sent in order (jitter never goes before it).
    private var lastInOrderDelivery: UInt64 = 0
    /// Count of verdicts per outcome, for tests and `exoctl` statistics.
    public private(set) var counters = ImpairmentCounters()

    public init(profile: ImpairmentProfile, seed: UInt64) {
        self.profile = profile
        self.seed = seed
        random = SeededRandom(seed: seed)
    }

    /// Decides the fate of a packet of `length` bytes offered at `now` (nanoseconds,
    /// monotonic, never decreasing between calls).
    public mutating func judge(now: UInt64, length: Int) -> ImpairmentVerdict {
        counters.offered &+= 1
        if let burst = profile.burstLoss, burstLoses(burst) {
            counters.lostBurst &+= 1
            return .lost(.burst)
        }
        if random.chance(profile.loss) {
            counters.lostRandom &+= 1
            return .lost(.random)
        }
        guard let departure = departure(now: now, length: length) else {
            counters.lostRateQueue &+= 1
            return .lost(.rateQueueFull)
        }
        var deliverAt = departure &+ profile.delay
        if profile.jitter > 0 {
            let offset = random.below(2 &* profile.jitter &+ 1)
            deliverAt = deliverAt &+ offset
            deliverAt = deliverAt > profile.jitter ? deliverAt - profile.jitter : 0
            deliverAt = max(deliverAt, now)
        }
        if random.chance(profile.reorder) {
            // Held back and not an anchor for later packets, which may now overtake it.
            deliverAt = max(deliverAt, lastInOrderDelivery) &+ profile.reorderGap
            counters.reordered &+= 1
        } else {
            deliverAt = max(deliverAt, lastInOrderDelivery)
            lastInOrderDelivery = deliverAt
        }
        var duplicateAt: UInt64?
        if random.chance(profile.duplicate) {
            duplicateAt = deliverAt
            counters.duplicated &+= 1
        }
        var corruption: Corruption?
        if length > 0, random.chance(profile.corrupt) {
            let bit = random.below(UInt64(length) * 8)
            corruption = Corruption(offset: Int(bit / 8), mask: 1 << UInt8(bit % 8))
            counters.corrupted &+= 1
        }
        counters.delivered &+= 1
        return .deliver(at: deliverAt, duplicateAt: duplicateAt, corruption: corruption)
    }

    /// Moves the Gilbert–Elliott chain one step and draws this packet's loss in its state.
    private mutating func burstLoses(_ burst: BurstLoss) -> Bool {
        if inBadState {
            if random.chance(burst.badToGood) { inBadState = false }
        } else if random.chance(burst.goodToBad) {
            inBadState = true
        }
        return random.chance(inBadState ? burst.lossInBad : burst.lossInGood)
    }

    /// When the packet has finished leaving a rate-limited link (now, if unlimited), or nil
    /// when it would wait longer than the queue limit.
    private mutating func departure(now: UInt64, length: Int) -> UInt64? {
        guard profile.rateBitsPerSecond > 0 else { return now }
        let start = max(now, linkFreeAt)
        guard start - now <= profile.queueLimit else { return nil }
        let bits = UInt64(length) * 8
        let (scaled, overflow) = bits.multipliedReportingOverflow(by: 1_000_000_000)
        let serialization = overflow ? UInt64.max / 2 : scaled / profile.rateBitsPerSecond
        linkFreeAt = start &+ serialization
        return linkFreeAt
    }
}

/// What a model has decided so far.
public struct ImpairmentCounters: Hashable, Sendable {
    public var offered: UInt64 = 0
    public var delivered: UInt64 = 0
    public var lostRandom: UInt64 = 0
    public var lostBurst: UInt64 = 0
    public var lostRateQueue: UInt64 = 0
    public var duplicated: UInt64 = 0
    public var reordered: UInt64 = 0
    public var corrupted: UInt64 = 0

    public init() {}

    /// All losses, whatever the cause.
    public var lost: UInt64 { lostRandom &+ lostBurst &+ lostRateQueue }
}
