// Frame requests: allocate (a given list or any free frames), unref, authorize a mapping
// (the in-flight references are InFlightReferences).
import ExoWire

extension Arbiter {
    /// Allocates exactly `batch` to `session`, each with rights `.owner`, in batch order.
    /// Checks, in order: every frame in range (`.outOfRange`); every frame free and named
    /// once (`.alreadyAllocated`, also for a duplicate inside the batch); the tenant's
    /// holdings plus `batch.count` within quota (`.overQuota`).
    public func allocate(session: SessionID, frames batch: [FrameNumber]) throws(ExoError) -> [Holding] {
        let tenant = try tenantOf(session)
        try frames.checkInRange(batch)
        try frames.checkFreeAndDistinct(batch)
        guard tenants.fits(tenant, adding: batch.count) else { throw .overQuota }
        return claim(batch, session: session, tenant: tenant)
    }

    /// Allocates the `count` lowest-numbered free frames to `session`, rights `.owner`.
    /// Checks quota first (`.overQuota`), then the pool (`.poolExhausted`).
    public func allocateAny(session: SessionID, count: UInt32) throws(ExoError) -> [Holding] {
        let tenant = try tenantOf(session)
        guard tenants.fits(tenant, adding: Int(count)) else { throw .overQuota }
        guard let picked = frames.lowestFree(Int(count)) else { throw .poolExhausted }
        return claim(picked, session: session, tenant: tenant)
    }

    /// Ends the caller session's holding of each frame in `batch`. Checks, in order: range
    /// (`.outOfRange`); the session holds each frame, and a second copy of a frame in the batch
    /// counts as not held (`.notHolder`); none of them is in flight by this session
    /// (`.frameInFlight`). Other sessions' holdings of the same frames are untouched.
    public func unref(session: SessionID, frames batch: [FrameNumber]) throws(ExoError) -> Released {
        _ = try tenantOf(session)
        try frames.checkInRange(batch)
        try sessions.checkHolds(session, batch)
        for frame in batch where sessions.inFlight(session, frame: frame) != 0 { throw .frameInFlight }
        var released = Released()
        for frame in batch {
            guard let id = sessions.holding(session, frame: frame) else { continue }
            sessions.setHolding(session, frame: frame, holding: nil)
            endHolding(id, into: &released)
        }
        released.sort()
        return released
    }

    /// The caller's holdings of `batch`, in batch order: the daemon maps each frame with the
    /// holding's rights. `.outOfRange`, then `.notHolder`. Changes nothing.
    public func authorizeMap(session: SessionID, frames batch: [FrameNumber]) throws(ExoError) -> [Holding] {
        _ = try tenantOf(session)
        try frames.checkInRange(batch)
        var result: [Holding] = []
        result.reserveCapacity(batch.count)
        for frame in batch {
            guard let id = sessions.holding(session, frame: frame), let holding = holdingTable[id] else { throw .notHolder }
            result.append(holding)
        }
        return result
    }

    /// The rights of `session`'s holding on `frame`, or nil if it holds none (or the frame is
    /// out of range). Allocation-free: the data path asks this once per descriptor.
    public func rights(session: SessionID, frame: FrameNumber) -> Rights? {
        guard let id = sessions.holding(session, frame: frame) else { return nil }
        return holdingTable[id]?.rights
    }

    /// Invoke step of both allocations: `batch` holds free, distinct, in-range frames and the
    /// quota has room for all of them.
    private func claim(_ batch: [FrameNumber], session: SessionID, tenant: TenantID) -> [Holding] {
        batch.map { frame in
            let epoch = frames.claim(frame)
            return addHolding(frame: frame, session: session, tenant: tenant, rights: .owner, epoch: epoch)
        }
    }
}
