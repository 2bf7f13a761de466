// Specification of the pool-pressure plan: below the low-water mark, tenants above their
// floors are asked for enough frames to reach the high-water mark, the largest excess first
// and levelled, never below a floor, counting what is already asked for.
import ExoCore
import ExoWire
import Testing

@Suite struct PoolPressurePlanTests {
    static let marks = PoolWaterMarks(lowWater: 10, highWater: 20, poolFrames: 100)!

    static func plan(free: UInt32, _ tenants: [TenantPressure]) -> [TenantID: UInt32] {
        var targets: [TenantID: UInt32] = [:]
        for entry in PoolPressurePlan.targets(free: free, marks: marks, tenants: tenants) {
            targets[entry.tenant] = entry.target
        }
        return targets
    }

    static func tenant(_ id: TenantID, held: UInt32, floor: UInt32 = 0, pending: UInt32? = nil) -> TenantPressure {
        TenantPressure(tenant: id, held: held, floor: floor, pendingTarget: pending)
    }

    @Test func waterMarksMustBeOrderedWithinThePool() {
        #expect(PoolWaterMarks(lowWater: 5, highWater: 4, poolFrames: 10) == nil)
        #expect(PoolWaterMarks(lowWater: 5, highWater: 11, poolFrames: 10) == nil)
        #expect(PoolWaterMarks(lowWater: 0, highWater: 10, poolFrames: 10) != nil)
    }

    @Test func nothingIsAskedAtOrAboveTheLowWaterMark() {
        #expect(Self.plan(free: 10, [Self.tenant(1, held: 90)]).isEmpty)
    }

    @Test func theLargestHolderGivesFirstDownToTheOthersLevel() {
        // 5 free, 15 needed: a (40 above its floor of 10 → 30 excess) gives 15.
        let targets = Self.plan(free: 5, [Self.tenant(1, held: 40, floor: 10), Self.tenant(2, held: 10)])
        #expect(targets == [1: 25])
        // Levelled: both cut to the same excess when the need is larger.
        let level = Self.plan(free: 0, [Self.tenant(1, held: 30), Self.tenant(2, held: 20)])
        #expect(level == [1: 15, 2: 15])
    }

    @Test func noTenantIsAskedBelowItsFloorEvenWhenThatFallsShort() {
        let targets = Self.plan(free: 0, [Self.tenant(1, held: 12, floor: 10), Self.tenant(2, held: 3, floor: 3)])
        #expect(targets == [1: 10])
    }

    @Test func framesAlreadyAskedForCountAsComing() {
        // 5 free and 10 already asked of tenant 1: 5 more are needed, from what it keeps.
        let targets = Self.plan(free: 5, [Self.tenant(1, held: 30, pending: 20), Self.tenant(2, held: 5)])
        #expect(targets == [1: 15])
        // Enough already asked: nothing new.
        #expect(Self.plan(free: 5, [Self.tenant(1, held: 30, pending: 10)]).isEmpty)
    }

    /// Random tenants: the cuts add up to exactly what is needed (or every excess when that is
    /// less), nobody is cut below its floor, and the cut tenants end within one frame of each
    /// other's excess and at or above every uncut tenant's excess, less one.
    @Test(arguments: 0..<40) func theCutsMeetTheNeedAndAreLevelled(seed: UInt64) {
        var random = SplitMix64(state: seed)
        let tenants = (0..<Int(1 + random.next() % 6)).map { id in
            let held = UInt32(random.next() % 30)
            let floor = UInt32(random.next() % 10)
            let pending: UInt32? = random.next() % 4 == 0 ? UInt32(random.next() % 30) : nil
            return Self.tenant(TenantID(id), held: held, floor: floor, pending: pending)
        }
        let free = UInt32(random.next() % 10)
        let targets = Self.plan(free: free, tenants)
        var finalExcess: [TenantID: Int] = [:]
        var totalCut = 0
        var totalExcess = 0
        var coming = 0
        for tenant in tenants {
            let kept = Int(min(tenant.held, tenant.pendingTarget ?? tenant.held))
            coming += Int(tenant.held) - kept
            let excess = max(kept - Int(tenant.floor), 0)
            totalExcess += excess
            let target = targets[tenant.tenant].map(Int.init) ?? kept
            #expect(target >= Int(tenant.floor) || targets[tenant.tenant] == nil)
            #expect(target <= kept)
            totalCut += kept - target
            finalExcess[tenant.tenant] = excess - (kept - target)
        }
        let need = max(20 - Int(free) - coming, 0)
        #expect(totalCut == min(need, totalExcess))
        let cut = Set(targets.keys)
        if let lowest = cut.map({ finalExcess[$0]! }).min() {
            for tenant in tenants {
                #expect(finalExcess[tenant.tenant]! <= lowest + 1)
            }
        }
    }
}
