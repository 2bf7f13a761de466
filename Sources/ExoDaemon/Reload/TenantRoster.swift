// Which tenant id names which configured tenant in this run. At start a tenant's id is its
// index in the file; a reload keeps the id of every tenant it keeps (matched by name), gives
// an added tenant the lowest free id, and frees a removed tenant's id once its sessions ended.
// Per-tenant tables are sized once for `capacity` ids, so the packet path never sees one grow.

import ExoCore
import ExoPacket
import ExoWire

/// The configured tenants by id. A value: a reload builds the next roster beside the one in
/// force and installs it whole.
struct TenantRoster: Equatable {
    /// Ids a run can hold beyond the tenants configured at start (for tenants a reload adds).
    static let spareIDs = 64

    /// Slot `id` holds the tenant with that id, or nil when the id is free.
    private(set) var slots: [TenantConfig?]

    /// The roster at start: tenant `i` of the file has id `i`; ids up to the file's count plus
    /// `spareIDs` are free for tenants added later.
    init(starting tenants: [TenantConfig]) {
        slots = tenants.map { Optional($0) } + Array(repeating: nil, count: Self.spareIDs)
    }

    /// How many ids this run has: the size of every per-tenant table.
    var capacity: Int { slots.count }

    subscript(id: TenantID) -> TenantConfig? {
        let index = Int(id)
        return slots.indices.contains(index) ? slots[index] : nil
    }

    /// The id of the configured tenant named `name`.
    func id(named name: String) -> TenantID? {
        slots.firstIndex { $0?.name == name }.map { TenantID($0) }
    }

    /// Every configured tenant, by ascending id.
    var tenants: [(id: TenantID, config: TenantConfig)] {
        slots.enumerated().compactMap { index, tenant in tenant.map { (TenantID(index), $0) } }
    }

    var count: Int { slots.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }

    /// Puts `tenant` at `id` (nil frees the id).
    mutating func set(_ id: TenantID, _ tenant: TenantConfig?) {
        slots[Int(id)] = tenant
    }

    /// The network grants of every configured tenant (by id), with generated MACs.
    var networkGrants: [NetworkGrant] {
        tenants.map { id, tenant in
            NetworkGrant(
                tenant: id,
                addresses: tenant.addresses.map { WholeAddress($0, mac: DaemonConfig.macForOwnedAddress($0)) },
                shares: tenant.ports)
        }
    }

    /// The address plan of these grants.
    func addressPlan() throws(AddressPlanError) -> AddressPlan {
        try AddressPlan(daemonMAC: DaemonConfig.daemonMAC, grants: networkGrants)
    }
}
