// When free frames fall below the pool's low-water mark, the daemon asks tenants above their
// guaranteed floor to give frames back, enough to reach the high-water mark. The burden is
// levelled: the tenants holding most above their floors give first, down to a common level,
// so no tenant is cut below another that holds more.
import ExoWire

/// The pool's water marks, in free frames: below `lowWater` the daemon revokes until
/// `highWater` frames would be free.
public struct PoolWaterMarks: Sendable, Equatable {
    public let lowWater: UInt32
    public let highWater: UInt32

    /// Nil unless `lowWater <= highWater <= poolFrames` (the configuration check says which
    /// one failed).
    public init?(lowWater: UInt32, highWater: UInt32, poolFrames: UInt32) {
        guard lowWater <= highWater, highWater <= poolFrames else { return nil }
        self.lowWater = lowWater
        self.highWater = highWater
    }
}

/// What the planner needs to know of one tenant.
public struct TenantPressure: Sendable, Equatable {
    public let tenant: TenantID
    public let held: UInt32
    /// Frames the tenant keeps whatever happens (its configured guarantee).
    public let floor: UInt32
    /// The target of its pending count revocation, if it has one: what it holds above that
    /// is already being asked for.
    public let pendingTarget: UInt32?

    public init(tenant: TenantID, held: UInt32, floor: UInt32, pendingTarget: UInt32?) {
        self.tenant = tenant
        self.held = held
        self.floor = floor
        self.pendingTarget = pendingTarget
    }

    /// Frames it still holds above its floor once what is already asked for is given back.
    var excess: UInt32 {
        let kept = min(held, pendingTarget ?? held)
        return kept > floor ? kept - floor : 0
    }
}

public enum PoolPressurePlan {
    /// The new targets (tenant → frames it may hold) that bring `free` up to the high-water
    /// mark once met, or none while `free` is at or above the low-water mark. Frames already
    /// asked for count as coming back. When all excess together is too little, every tenant
    /// is asked down to its floor.
    public static func targets(
        free: UInt32, marks: PoolWaterMarks, tenants: [TenantPressure]
    ) -> [(tenant: TenantID, target: UInt32)] {
        guard free < marks.lowWater else { return [] }
        let coming = tenants.reduce(UInt64(0)) { sum, t in
            sum + UInt64(t.pendingTarget.map { t.held > $0 ? t.held - $0 : 0 } ?? 0)
        }
        let expected = UInt64(free) + coming
        guard expected < UInt64(marks.highWater) else { return [] }
        let need = UInt64(marks.highWater) - expected
        let excesses = tenants.map { UInt64($0.excess) }
        var cuts: [UInt64]
        if freed(cuttingTo: 0, excesses) <= need {
            cuts = excesses  // too little even from everyone: all down to their floors
        } else {
            // Everyone above L + 1 down to L + 1, then one more each from those at L + 1 (most
            // excess first, then lowest id) until the need is met: final levels differ by at
            // most one frame, and nobody ends below a tenant that had less.
            let level = highestLevel(freeing: need, excesses)
            cuts = excesses.map { $0 > level + 1 ? $0 - (level + 1) : 0 }
            var remaining = need - freed(cuttingTo: level + 1, excesses)
            let order = tenants.indices.sorted { a, b in
                excesses[a] != excesses[b] ? excesses[a] > excesses[b] : tenants[a].tenant < tenants[b].tenant
            }
            for index in order where remaining > 0 && excesses[index] >= level + 1 {
                cuts[index] += 1
                remaining -= 1
            }
        }
        return tenants.indices.compactMap { index in
            guard cuts[index] > 0 else { return nil }
            let tenant = tenants[index]
            let kept = UInt64(min(tenant.held, tenant.pendingTarget ?? tenant.held))
            return (tenant.tenant, UInt32(kept - cuts[index]))
        }
    }

    /// Frames freed by cutting every excess down to `level`.
    static func freed(cuttingTo level: UInt64, _ excesses: [UInt64]) -> UInt64 {
        excesses.reduce(0) { $0 + ($1 > level ? $1 - level : 0) }
    }

    /// The highest level L such that cutting every excess down to L frees at least `need`
    /// (precondition: cutting to 0 frees more than `need`).
    static func highestLevel(freeing need: UInt64, _ excesses: [UInt64]) -> UInt64 {
        var low: UInt64 = 0
        var high = excesses.max() ?? 0
        // freed(level) falls as the level rises: the largest level with freed >= need.
        while low < high {
            let middle = (low + high + 1) / 2
            if freed(cuttingTo: middle, excesses) >= need { low = middle } else { high = middle - 1 }
        }
        return low
    }
}
