// The revocations the daemon is waiting on: at most one count revocation per tenant (a new
// request for the same tenant tightens it) and any number of grant revocations, each settled
// when the tenant complies or taken over by the abort protocol at its deadline.
import ExoWire

/// Pending revocations, by id and by tenant.
///
/// Invariants: a tenant has at most one pending count revocation; every pending revocation
/// has a distinct id; a revocation leaves the book exactly once, either settled (complied
/// with) or due (its deadline passed), never both.
public struct RevocationBook: Sendable {
    private var pending: [RevocationID: Revocation] = [:]
    private var countByTenant: [TenantID: RevocationID] = [:]
    private var lastID: RevocationID = 0
    /// What revocations did so far (the metrics'); `FrameRevoker` adds the holdings it takes.
    public internal(set) var tally = RevocationTally()

    public init() {}

    /// Pending revocations.
    public var count: Int { pending.count }

    public subscript(id: RevocationID) -> Revocation? { pending[id] }

    /// The tenant's pending revocations, oldest first.
    public func revocations(of tenant: TenantID) -> [Revocation] {
        pending.values.filter { $0.tenant == tenant }.sorted { $0.id < $1.id }
    }

    /// The tenant's pending count revocation, if any.
    public func countRevocation(of tenant: TenantID) -> Revocation? {
        countByTenant[tenant].flatMap { pending[$0] }
    }

    /// The earliest deadline of any pending revocation: when the abort protocol next acts.
    public var nextDeadline: UInt64? { pending.values.map(\.deadline).min() }

    /// Asks `tenant` to hold at most `target` frames by `deadline`. If the tenant already has
    /// a pending count revocation, that one is tightened instead (the lower target, the
    /// earlier deadline) and keeps its id, so the tenant always has one figure to meet.
    public mutating func requestCount(
        tenant: TenantID, reason: RevocationReason, target: UInt32, deadline: UInt64
    ) -> Revocation {
        precondition(reason != .grantRevoked, "a grant revocation names holdings")
        if let id = countByTenant[tenant], var existing = pending[id] {
            existing.target = min(existing.target, target)
            existing.deadline = min(existing.deadline, deadline)
            pending[id] = existing
            return existing
        }
        lastID += 1
        tally.countStarted(reason)
        let revocation = Revocation(
            id: lastID, tenant: tenant, reason: reason, target: target, holdings: [], deadline: deadline)
        pending[lastID] = revocation
        countByTenant[tenant] = lastID
        return revocation
    }

    /// Asks `tenant` to end `holdings` (the grants it redeemed that their issuer took back)
    /// by `deadline`.
    public mutating func requestHoldings(
        tenant: TenantID, holdings: [HoldingID], frames: [FrameNumber] = [], deadline: UInt64
    ) -> Revocation {
        precondition(!holdings.isEmpty, "a grant revocation names at least one holding")
        lastID += 1
        tally.countStarted(.grantRevoked)
        let revocation = Revocation(
            id: lastID, tenant: tenant, reason: .grantRevoked, target: 0, holdings: holdings, frames: frames,
            deadline: deadline)
        pending[lastID] = revocation
        return revocation
    }

    /// Removes and returns the tenant's revocations it has now complied with: count
    /// revocations once it holds at most their target, grant revocations once none of their
    /// holdings is live.
    public mutating func settle(
        tenant: TenantID, held: UInt32, isLive: (HoldingID) -> Bool
    ) -> [Revocation] {
        let met = revocations(of: tenant).filter { revocation in
            revocation.isGrant ? !revocation.holdings.contains(where: isLive) : held <= revocation.target
        }
        for revocation in met { remove(revocation) }
        tally.countEnded(.returned, met.count)
        return met
    }

    /// Removes and returns every revocation whose deadline is at or before `now`, oldest
    /// first: the abort protocol takes what they asked for.
    public mutating func due(now: UInt64) -> [Revocation] {
        let expired = pending.values.filter { $0.deadline <= now }.sorted { $0.id < $1.id }
        for revocation in expired { remove(revocation) }
        tally.countEnded(.repossessed, expired.count)
        return expired
    }

    /// Drops and returns every revocation of a tenant that is gone (its last session ended, or
    /// a reload removed it): there is nothing left to take.
    @discardableResult
    public mutating func forget(tenant: TenantID) -> [Revocation] {
        let gone = revocations(of: tenant)
        for revocation in gone { remove(revocation) }
        tally.countEnded(.tenantGone, gone.count)
        return gone
    }

    /// The pending grant revocation that names `holding`, if any.
    public func grantRevocation(of holding: HoldingID) -> Revocation? {
        pending.values.first { $0.isGrant && $0.holdings.contains(holding) }
    }

    private mutating func remove(_ revocation: Revocation) {
        pending.removeValue(forKey: revocation.id)
        if countByTenant[revocation.tenant] == revocation.id { countByTenant.removeValue(forKey: revocation.tenant) }
    }
}
