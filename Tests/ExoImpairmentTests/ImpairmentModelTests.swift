// The impairment model as a specification: every decision repeats from its seed, and each
// impairment does what its number says, within statistical bounds over many packets.

import ExoImpairment
import Testing

@Suite struct ImpairmentModelTests {
    /// Runs `count` packets of `length` bytes, one every `spacing` ns, and returns the verdicts.
    static func verdicts(_ profile: ImpairmentProfile, seed: UInt64, count: Int = 100_000, length: Int = 100, spacing: UInt64 = 1_000)
        -> [ImpairmentVerdict]
    {
        var model = ImpairmentModel(profile: profile, seed: seed)
        return (0..<count).map { model.judge(now: UInt64($0) * spacing, length: length) }
    }

    @Test func aPerfectProfileDeliversEverythingAtOnceAndInOrder() {
        let verdicts = Self.verdicts(ImpairmentProfile(), seed: 1, count: 1000)
        for (i, verdict) in verdicts.enumerated() {
            #expect(verdict == .deliver(at: UInt64(i) * 1_000, duplicateAt: nil, corruption: nil))
        }
    }

    @Test(arguments: [1, 2, 0xDEAD_BEEF] as [UInt64]) func theSameSeedGivesTheSameVerdicts(seed: UInt64) {
        var profile = ImpairmentProfile.loss(0.1)
        profile.duplicate = 0.05
        profile.reorder = 0.05
        profile.corrupt = 0.01
        profile.jitter = 500
        #expect(Self.verdicts(profile, seed: seed, count: 5000) == Self.verdicts(profile, seed: seed, count: 5000))
        #expect(Self.verdicts(profile, seed: seed, count: 5000) != Self.verdicts(profile, seed: seed + 1, count: 5000))
    }

    @Test(arguments: [0.01, 0.05, 0.3]) func randomLossMatchesItsProbability(probability: Double) {
        let seed: UInt64 = 42
        let lost = Self.verdicts(.loss(probability), seed: seed).filter { !$0.isDelivered }.count
        let rate = Double(lost) / 100_000
        #expect(abs(rate - probability) < 0.01, "seed \(seed): loss \(rate) for p=\(probability)")
    }

    @Test func burstLossHasItsMeanAndComesInRuns() {
        let seed: UInt64 = 7
        var profile = ImpairmentProfile()
        profile.burstLoss = BurstLoss(goodToBad: 0.01, badToGood: 0.25)
        let lost = Self.verdicts(profile, seed: seed).map { !$0.isDelivered }
        let rate = Double(lost.filter { $0 }.count) / Double(lost.count)
        #expect(abs(rate - profile.burstLoss!.meanLoss) < 0.01, "seed \(seed): loss \(rate)")
        // Mean run of consecutive losses ≈ 1 / badToGood = 4 (independent loss would give ≈ 1).
        var runs = 0
        for i in lost.indices where lost[i] && (i == 0 || !lost[i - 1]) { runs += 1 }
        let meanRun = Double(lost.filter { $0 }.count) / Double(runs)
        #expect(meanRun > 3 && meanRun < 5, "seed \(seed): mean burst \(meanRun)")
    }

    @Test func duplicationAndCorruptionMatchTheirProbabilities() {
        let seed: UInt64 = 9
        var profile = ImpairmentProfile()
        profile.duplicate = 0.1
        profile.corrupt = 0.02
        var duplicates = 0
        var corrupted = 0
        for verdict in Self.verdicts(profile, seed: seed) {
            guard case .deliver(let at, let duplicateAt, let corruption) = verdict else { continue }
            if let duplicateAt {
                duplicates += 1
                #expect(duplicateAt == at)
            }
            if let corruption {
                corrupted += 1
                #expect(corruption.offset >= 0 && corruption.offset < 100 && corruption.mask.nonzeroBitCount == 1)
            }
        }
        #expect(abs(Double(duplicates) / 100_000 - 0.1) < 0.01, "seed \(seed)")
        #expect(abs(Double(corrupted) / 100_000 - 0.02) < 0.005, "seed \(seed)")
    }

    @Test func jitterSpreadsDelaysButOnlyReorderReorders() {
        let seed: UInt64 = 11
        var profile = ImpairmentProfile()
        profile.delay = 10_000
        profile.jitter = 5_000
        let times = Self.verdicts(profile, seed: seed, count: 10_000).compactMap { verdict -> UInt64? in
            if case .deliver(let at, _, _) = verdict { return at }
            return nil
        }
        #expect(times == times.sorted(), "seed \(seed): jitter reordered")
        let delays = times.enumerated().map { Int64($0.element) - Int64($0.offset * 1_000) }
        #expect(delays.min()! >= 5_000 && delays.max()! <= 15_000 + 1_000)
        profile.reorder = 0.1
        let reordered = Self.verdicts(profile, seed: seed, count: 10_000).compactMap { verdict -> UInt64? in
            if case .deliver(let at, _, _) = verdict { return at }
            return nil
        }
        let inversions = zip(reordered, reordered.dropFirst()).filter { $0.0 > $0.1 }.count
        #expect(inversions > 500, "seed \(seed): only \(inversions) packets overtaken")
    }

    @Test func aRateLimitSpacesPacketsAndDropsBeyondTheQueueLimit() {
        var profile = ImpairmentProfile()
        profile.rateBitsPerSecond = 1_000_000  // 1,250-byte packets: 10 ms each
        profile.queueLimit = 35_000_000
        var model = ImpairmentModel(profile: profile, seed: 3)
        let burst = (0..<6).map { _ in model.judge(now: 0, length: 1250) }
        #expect(burst[0] == .deliver(at: 10_000_000, duplicateAt: nil, corruption: nil))
        #expect(burst[1] == .deliver(at: 20_000_000, duplicateAt: nil, corruption: nil))
        #expect(burst[3] == .deliver(at: 40_000_000, duplicateAt: nil, corruption: nil))
        #expect(burst[4] == .lost(.rateQueueFull))
        #expect(model.counters.lostRateQueue == 2 && model.counters.delivered == 4)
        // Once the queue drains, a packet waits only for its own serialization.
        #expect(model.judge(now: 100_000_000, length: 1250) == .deliver(at: 110_000_000, duplicateAt: nil, corruption: nil))
    }
}

@Suite struct TimedReleaseQueueTests {
    @Test func releasesEarliestFirstAndTiesInInsertionOrder() {
        var queue = TimedReleaseQueue<String>(capacity: 8)
        queue.insert("c", releaseAt: 30)
        queue.insert("a", releaseAt: 10)
        queue.insert("b1", releaseAt: 20)
        queue.insert("b2", releaseAt: 20)
        #expect(queue.nextRelease == 10)
        #expect(queue.popDue(now: 5) == nil)
        #expect(queue.popDue(now: 25) == "a")
        #expect(queue.popDue(now: 25) == "b1")
        #expect(queue.popDue(now: 25) == "b2")
        #expect(queue.popDue(now: 25) == nil)
        #expect(queue.popDue(now: 30) == "c")
        #expect(queue.isEmpty)
    }

    @Test func refusesBeyondItsCapacity() {
        var queue = TimedReleaseQueue<Int>(capacity: 2)
        let first = queue.insert(1, releaseAt: 1)
        let second = queue.insert(2, releaseAt: 2)
        let third = queue.insert(3, releaseAt: 0)
        #expect(first && second && !third)
        #expect(queue.count == 2 && queue.popDue(now: 10) == 1)
    }

    @Test func randomInsertionsComeOutSorted() {
        let seed: UInt64 = 5
        var random = SeededRandom(seed: seed)
        var queue = TimedReleaseQueue<Int>(capacity: 1000)
        var model: [(UInt64, Int)] = []
        for i in 0..<1000 {
            let time = random.below(100)
            queue.insert(i, releaseAt: time)
            model.append((time, i))
        }
        let expected = model.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.map(\.1)
        var released: [Int] = []
        while let next = queue.popDue(now: .max) { released.append(next) }
        #expect(released == expected, "seed \(seed)")
    }
}
