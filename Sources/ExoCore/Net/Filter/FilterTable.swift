// Every installed filter: by id, by binding and by session (for the quota), and each
// filtered binding's compiled trie, whose program the binding table's entry carries.
import ExoWire

/// One installed filter, as listings show it.
public struct InstalledFilter: Hashable, Sendable {
    public var id: FilterID
    public var target: BindingTarget
    public var session: SessionID
    public var tenant: TenantID
    public var filter: PacketFilter
}

/// The filters of every binding. Owned by `BindingTable`, which keeps a copy of each
/// filtered binding's `FilterTrie.program` in its entry; `tries` keeps those tries alive
/// (the program's invariant) until the binding's filters change or it goes. Control path.
struct FilterTable: Sendable {
    var byID: [FilterID: InstalledFilter] = [:]
    /// Ids per binding, in installation order.
    var byTarget: [BindingTarget: [FilterID]] = [:]
    var perSession: [SessionID: Int] = [:]
    var perTenant: [TenantID: Int] = [:]
    /// The compiled trie of every binding that has filters.
    var tries: [BindingTarget: FilterTrie] = [:]
    var nextID: FilterID = 1
    let quotaPerSession: Int

    init(quotaPerSession: Int) { self.quotaPerSession = quotaPerSession }

    /// Adds filters of `session` to `target` and recompiles its trie; returns the new ids
    /// and the binding's new program. The caller checked the session holds the binding.
    mutating func add(
        _ filters: [PacketFilter], target: BindingTarget, session: SessionID, tenant: TenantID, tenantLimit: Int
    ) throws(ExoError) -> (ids: [FilterID], program: FilterProgram?) {
        let held = perSession[session] ?? 0
        guard filters.count <= quotaPerSession - held else { throw .filterQuotaExceeded }
        let tenantHeld = perTenant[tenant] ?? 0
        guard filters.count <= tenantLimit - tenantHeld else { throw .filterLimit }
        var ids: [FilterID] = []
        for filter in filters {
            let id = nextID
            nextID += 1
            byID[id] = InstalledFilter(id: id, target: target, session: session, tenant: tenant, filter: filter)
            byTarget[target, default: []].append(id)
            ids.append(id)
        }
        perSession[session] = held + filters.count
        perTenant[tenant] = tenantHeld + filters.count
        return (ids, recompile(target))
    }

    /// Removes filter `id` of `session`: `.noSuchFilter` unless the session installed it.
    /// Returns the binding and its program after recompiling (nil when no filter is left).
    mutating func remove(_ id: FilterID, session: SessionID) throws(ExoError)
        -> (target: BindingTarget, program: FilterProgram?)
    {
        guard let installed = byID[id], installed.session == session else { throw .noSuchFilter }
        forget(installed)
        byTarget[installed.target]?.removeAll { $0 == id }
        return (installed.target, recompile(installed.target))
    }

    /// Drops every filter of `target` (its binding went away) and its trie.
    mutating func removeAll(of target: BindingTarget) {
        guard let ids = byTarget[target] else { return }
        for id in ids { if let installed = byID[id] { forget(installed) } }
        byTarget[target] = []
        _ = recompile(target)
    }

    private mutating func forget(_ installed: InstalledFilter) {
        byID[installed.id] = nil
        let left = (perSession[installed.session] ?? 1) - 1
        perSession[installed.session] = left > 0 ? left : nil
        let tenantLeft = (perTenant[installed.tenant] ?? 1) - 1
        perTenant[installed.tenant] = tenantLeft > 0 ? tenantLeft : nil
    }

    /// Rebuilds `target`'s trie; returns its program, or nil (and drops it) when none is left.
    private mutating func recompile(_ target: BindingTarget) -> FilterProgram? {
        let ids = byTarget[target] ?? []
        guard !ids.isEmpty else {
            byTarget[target] = nil
            tries[target] = nil
            return nil
        }
        let trie = FilterTrie(ids.compactMap { id in byID[id].map { (id, $0.filter) } })
        tries[target] = trie
        return trie.program
    }
}
