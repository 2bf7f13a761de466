// Specification of the daemon's impairment decorator, driven on a virtual clock: off costs
// nothing and changes nothing; each fault is applied, counted per tenant and direction, and
// repeats from its seed; held copies leave on time; a full store is a counted drop.

import ExoImpairment
import ExoWire
import Testing

@testable import ExoDaemon

@Suite("Traffic impairment")
struct TrafficImpairmentTests {
    static let packet: [UInt8] = Array(0..<64)

    /// Offers `count` packets of tenant 0 one way, 1 µs apart from `start`; returns how many
    /// the caller would pass on at once.
    func offer(_ impairment: TrafficImpairment, count: Int, way: ImpairmentWay = .toTenants, tenant: TenantID = 0,
        start: UInt64 = 1_000, bytes: [UInt8] = packet) -> Int
    {
        var passed = 0
        for index in 0..<count {
            let consumed = bytes.withUnsafeBytes {
                impairment.intercept($0, way: way, tenant: tenant, session: 7, now: start + UInt64(index) * 1_000)
            }
            if !consumed { passed += 1 }
        }
        return passed
    }

    /// Releases everything due by `now`, returning the first byte of each copy in release order.
    func release(_ impairment: TrafficImpairment, now: UInt64) -> [[UInt8]] {
        var out: [[UInt8]] = []
        impairment.held.release(now: now) { _, bytes in out.append(Array(bytes)) }
        return out
    }

    func profile(_ edit: (inout ImpairmentProfile) -> Void) -> ImpairmentProfile {
        var p = ImpairmentProfile()
        edit(&p)
        return p
    }

    @Test func offPassesEverythingUntouchedAndCountsNothing() {
        let impairment = TrafficImpairment(tenantCount: 2, heldPackets: 8, slotSize: 128)
        #expect(!impairment.isActive)
        #expect(offer(impairment, count: 100) == 100)
        #expect(impairment.tallies.nonzero(tenant: 0).isEmpty)
        #expect(impairment.held.count == 0)
    }

    @Test func tenPercentLossLosesBetweenFiveAndFifteenPercentAndRepeatsFromItsSeed() {
        func run(seed: UInt64) -> (passed: Int, counted: UInt64) {
            let impairment = TrafficImpairment(tenantCount: 1, heldPackets: 8, slotSize: 128)
            impairment.set(.loss(0.1), way: .toTenants, tenant: nil, seed: seed)
            let passed = offer(impairment, count: 1_000)
            return (passed, impairment.tallies.count(of: .lostRandom, .toTenants, tenant: 0))
        }
        let first = run(seed: 42)
        #expect((850...950).contains(first.passed), "seed 42: \(first.passed) of 1000 passed")
        #expect(first.counted == UInt64(1_000 - first.passed))
        #expect(run(seed: 42) == first)
        #expect(run(seed: 43) != first)
    }

    @Test func turningAProfileOffMakesTheDecoratorInactive() {
        let impairment = TrafficImpairment(tenantCount: 1, heldPackets: 8, slotSize: 128)
        impairment.set(.loss(1), way: .fromTenants, tenant: 0, seed: 1)
        #expect(impairment.isActive)
        #expect(offer(impairment, count: 5, way: .fromTenants) == 0)
        #expect(impairment.tallies.nonzero(tenant: 0) == [DropCount(reason: "tx.impair.lostRandom", count: 5)])
        impairment.set(ImpairmentProfile(), way: .fromTenants, tenant: 0, seed: 1)
        #expect(!impairment.isActive)
    }

    @Test func burstLossIsCountedAsBurst() {
        let impairment = TrafficImpairment(tenantCount: 1, heldPackets: 8, slotSize: 128)
        impairment.set(profile { $0.burstLoss = BurstLoss(goodToBad: 0.05, badToGood: 0.3) }, way: .toTenants,
            tenant: nil, seed: 9)
        let passed = offer(impairment, count: 2_000)
        let lost = impairment.tallies.count(of: .lostBurst, .toTenants, tenant: 0)
        #expect(lost == UInt64(2_000 - passed))
        #expect(lost > 100 && lost < 600, "mean loss 1/7 of 2000; lost \(lost)")
    }

    @Test func delayHoldsEachPacketForItsDelayOnTheVirtualClock() {
        let impairment = TrafficImpairment(tenantCount: 1, heldPackets: 8, slotSize: 128)
        impairment.set(profile { $0.delay = 5_000_000 }, way: .toTenants, tenant: nil, seed: 1)
        #expect(offer(impairment, count: 3, start: 1_000) == 0)
        #expect(impairment.tallies.count(of: .delayed, .toTenants, tenant: 0) == 3)
        #expect(impairment.held.nextRelease == 5_001_000)
        #expect(release(impairment, now: 5_000_999).isEmpty)
        #expect(release(impairment, now: 5_001_000) == [Self.packet])
        #expect(release(impairment, now: 5_003_000).count == 2)
        #expect(impairment.held.count == 0)
    }

    @Test func duplicationPassesTheOriginalAndHoldsACopy() {
        let impairment = TrafficImpairment(tenantCount: 1, heldPackets: 8, slotSize: 128)
        impairment.set(profile { $0.duplicate = 1 }, way: .fromTenants, tenant: nil, seed: 1)
        #expect(offer(impairment, count: 1, way: .fromTenants) == 1)
        #expect(impairment.tallies.count(of: .duplicated, .fromTenants, tenant: 0) == 1)
        #expect(release(impairment, now: 1_000) == [Self.packet])
    }

    @Test func reorderingLetsLaterPacketsOvertake() {
        let impairment = TrafficImpairment(tenantCount: 1, heldPackets: 64, slotSize: 128)
        impairment.set(profile { $0.reorder = 0.3; $0.delay = 1_000; $0.reorderGap = 20_000 }, way: .toTenants,
            tenant: nil, seed: 5)
        var released: [UInt8] = []
        for index in 0..<40 {
            _ = [UInt8(index)].withUnsafeBytes {
                impairment.intercept($0, way: .toTenants, tenant: 0, session: 7, now: UInt64(index) * 1_000)
            }
        }
        impairment.held.release(now: .max) { _, bytes in released.append(bytes[0]) }
        #expect(released.count == 40)
        #expect(released != released.sorted(), "seed 5: nothing overtaken")
        #expect(impairment.tallies.count(of: .reordered, .toTenants, tenant: 0) > 0)
    }

    @Test func corruptionFlipsExactlyOneBitOfTheHeldCopy() {
        let impairment = TrafficImpairment(tenantCount: 1, heldPackets: 8, slotSize: 128)
        impairment.set(profile { $0.corrupt = 1 }, way: .toTenants, tenant: nil, seed: 3)
        #expect(offer(impairment, count: 1) == 0)
        let copies = release(impairment, now: 1_000)
        #expect(copies.count == 1)
        let flipped = zip(copies[0], Self.packet).map { ($0 ^ $1).nonzeroBitCount }.reduce(0, +)
        #expect(flipped == 1)
        #expect(impairment.tallies.count(of: .corrupted, .toTenants, tenant: 0) == 1)
    }

    @Test func rateLimitTailDropsBeyondItsQueue() {
        let impairment = TrafficImpairment(tenantCount: 1, heldPackets: 256, slotSize: 128)
        // 64 bytes at 512 kbit/s: 1 ms each; the queue holds 10 ms.
        impairment.set(profile { $0.rateBitsPerSecond = 512_000; $0.queueLimit = 10_000_000 }, way: .fromTenants,
            tenant: nil, seed: 1)
        _ = offer(impairment, count: 50, way: .fromTenants)
        let dropped = impairment.tallies.count(of: .lostRateQueue, .fromTenants, tenant: 0)
        #expect((38...40).contains(dropped), "dropped \(dropped)")
    }

    @Test func aFullHeldStoreIsACountedDrop() {
        let impairment = TrafficImpairment(tenantCount: 1, heldPackets: 2, slotSize: 128)
        impairment.set(profile { $0.delay = 1_000_000 }, way: .toTenants, tenant: nil, seed: 1)
        #expect(offer(impairment, count: 5) == 0)
        #expect(impairment.held.count == 2)
        #expect(impairment.tallies.count(of: .heldFull, .toTenants, tenant: 0) == 3)
    }

    @Test func aTenantsOwnProfileReplacesTheLinksForThatTenantOnly() {
        let impairment = TrafficImpairment(tenantCount: 2, heldPackets: 8, slotSize: 128)
        impairment.set(.loss(1), way: .toTenants, tenant: nil, seed: 1)
        impairment.set(profile { $0.duplicate = 1 }, way: .toTenants, tenant: 1, seed: 1)
        #expect(offer(impairment, count: 3, tenant: 0) == 0)
        #expect(offer(impairment, count: 3, tenant: 1) == 3)
        #expect(impairment.tallies.nonzero(tenant: 0) == [DropCount(reason: "rx.impair.lostRandom", count: 3)])
        #expect(impairment.tallies.nonzero(tenant: 1) == [DropCount(reason: "rx.impair.duplicated", count: 3)])
    }

    @Test func theWireProfileMapsPartsPerMillionAndKeepsDefaultsForZeroes() {
        var wire = WireImpairmentProfile()
        wire.lossPPM = 100_000
        wire.burstEnterPPM = 10_000
        wire.burstLeavePPM = 250_000
        wire.burstLossBadPPM = 1_000_000
        wire.delayNanoseconds = 7
        let model = ImpairmentProfile(wire)
        #expect(model.loss == 0.1)
        #expect(model.burstLoss == BurstLoss(goodToBad: 0.01, badToGood: 0.25, lossInGood: 0, lossInBad: 1))
        #expect(model.delay == 7)
        #expect(model.reorderGap == ImpairmentProfile().reorderGap)
        #expect(model.queueLimit == ImpairmentProfile().queueLimit)
        #expect(ImpairmentProfile(WireImpairmentProfile()).isPerfect)
    }
}
