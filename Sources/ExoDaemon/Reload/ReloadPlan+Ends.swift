// What a reload ends among the sessions and bindings in force: sessions whose tenant was
// removed or whose peer the new configuration would refuse at its hello, and bindings whose
// grant is gone. Pure: the daemon passes what it has attached and bound.

import ExoCore
import ExoWire

/// A tenant session as the reload sees it: its connection, tenant, and peer credentials.
struct AttachedTenantSession: Equatable {
    var connectionID: UInt64
    var tenant: TenantID
    var uid: UInt32
    var gid: UInt32
}

/// A session the reload ends, and the reason its peer is told.
struct SessionToEnd: Equatable {
    var connectionID: UInt64
    var reason: String
}

extension ReloadPlan {
    /// The sessions of removed tenants, and those whose peer the new configuration no longer
    /// lets attach as their tenant (its uids, gids or `daemon.allow_root_tenants` changed): a
    /// session is kept only if its hello would be accepted now, so no peer keeps rights the
    /// file took away. In `attached`'s order.
    func sessionsToEnd(_ attached: [AttachedTenantSession]) -> [SessionToEnd] {
        let removed = Set(self.removed)
        return attached.compactMap { session in
            // A removed tenant's id may already be an added tenant's in `roster`: removal first.
            guard !removed.contains(session.tenant), let tenant = roster[session.tenant] else {
                return SessionToEnd(connectionID: session.connectionID,
                    reason: "the tenant was removed from the configuration (reload)")
            }
            let refusal = Handshake.refusal(of: (session.uid, session.gid), as: tenant,
                allowRootTenants: config.allowRootTenants)
            return refusal.map { SessionToEnd(connectionID: session.connectionID, reason: "\($0) (reload)") }
        }
    }

    /// The bindings the new address plan no longer grants to their tenant (an address no
    /// longer the tenant's whole, a port outside its shares), of tenants the reload keeps.
    func bindingsToEnd(_ bindings: [Binding]) -> [Binding] {
        let removed = Set(self.removed)
        return bindings.filter { binding in
            guard !removed.contains(binding.tenant), roster[binding.tenant] != nil else { return false }
            switch binding.target {
            case .address(let address): return plan.owner(of: address) != .whole(binding.tenant)
            case .endpoint(let endpoint): return !plan.grants(endpoint, to: binding.tenant)
            }
        }
    }
}
