// The tenant ledger: configured tenants by id and name, and what each one uses (holdings
// counted against its quota, open sessions).
import ExoWire

/// Tenants and their usage. Invariant: `held[t]` is the number of live holdings whose
/// session belongs to `t`, and never exceeds `t`'s quota after a successful operation.
struct TenantLedger {
    private var specs: [TenantID: TenantSpec] = [:]
    private var idsByName: [String: TenantID] = [:]
    private var held: [TenantID: UInt32] = [:]
    private var sessions: [TenantID: UInt32] = [:]
    /// A pending revocation's target: no allocation or redeem takes the tenant above it.
    private var caps: [TenantID: UInt32] = [:]

    /// Tenant ids and names must be unique (the configuration loader checks that first).
    init(_ tenants: [TenantSpec]) {
        for spec in tenants {
            precondition(specs[spec.id] == nil, "duplicate tenant id \(spec.id)")
            precondition(idsByName[spec.name] == nil, "duplicate tenant name \(spec.name)")
            specs[spec.id] = spec
            idsByName[spec.name] = spec.id
        }
    }

    subscript(id: TenantID) -> TenantSpec? { specs[id] }
    /// Configured tenants.
    var count: Int { specs.count }
    func id(named name: String) -> TenantID? { idsByName[name] }

    /// True if the tenant may take `more` additional holdings without exceeding its quota.
    func fits(_ tenant: TenantID, adding more: Int) -> Bool {
        guard let quota = specs[tenant]?.frameQuota else { return false }
        let limit = min(quota, caps[tenant] ?? quota)
        return UInt64(held[tenant, default: 0]) + UInt64(more) <= UInt64(limit)
    }

    func usage(_ tenant: TenantID) -> TenantUsage {
        TenantUsage(framesHeld: held[tenant, default: 0], sessions: sessions[tenant, default: 0])
    }

    /// Adds a tenant, or replaces the spec (quota, limits) of the tenant with its id; its
    /// usage stays. A new name must not be another tenant's (the caller checked the names).
    mutating func set(_ spec: TenantSpec) {
        if let old = specs[spec.id], old.name != spec.name { idsByName[old.name] = nil }
        precondition(idsByName[spec.name].map { $0 == spec.id } ?? true, "duplicate tenant name \(spec.name)")
        specs[spec.id] = spec
        idsByName[spec.name] = spec.id
    }

    /// Forgets a tenant that has no sessions (so no holdings) left.
    mutating func remove(_ id: TenantID) {
        precondition(sessions[id, default: 0] == 0 && held[id, default: 0] == 0, "removing tenant \(id) in use: \(sessions[id, default: 0]) sessions, \(held[id, default: 0]) holdings")
        guard let spec = specs.removeValue(forKey: id) else { return }
        idsByName[spec.name] = nil
        held[id] = nil
        sessions[id] = nil
        caps[id] = nil
    }

    /// Caps the tenant below its quota while a revocation is pending (nil: the quota alone).
    mutating func setCap(_ tenant: TenantID, _ cap: UInt32?) { caps[tenant] = cap }

    mutating func holdingAdded(_ tenant: TenantID) { held[tenant, default: 0] += 1 }
    mutating func holdingEnded(_ tenant: TenantID) { held[tenant, default: 0] -= 1 }
    mutating func sessionOpened(_ tenant: TenantID) { sessions[tenant, default: 0] += 1 }

    /// Returns the number of sessions the tenant has left.
    mutating func sessionClosed(_ tenant: TenantID) -> UInt32 {
        sessions[tenant, default: 0] -= 1
        return sessions[tenant, default: 0]
    }
}
