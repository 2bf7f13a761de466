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
        return UInt64(held[tenant, default: 0]) + UInt64(more) <= UInt64(quota)
    }

    func usage(_ tenant: TenantID) -> TenantUsage {
        TenantUsage(framesHeld: held[tenant, default: 0], sessions: sessions[tenant, default: 0])
    }

    mutating func holdingAdded(_ tenant: TenantID) { held[tenant, default: 0] += 1 }
    mutating func holdingEnded(_ tenant: TenantID) { held[tenant, default: 0] -= 1 }
    mutating func sessionOpened(_ tenant: TenantID) { sessions[tenant, default: 0] += 1 }

    /// Returns the number of sessions the tenant has left.
    mutating func sessionClosed(_ tenant: TenantID) -> UInt32 {
        sessions[tenant, default: 0] -= 1
        return sessions[tenant, default: 0]
    }
}
