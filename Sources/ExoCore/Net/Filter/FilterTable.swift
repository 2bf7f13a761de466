// Every installed filter: by id, by binding and by session (for the quota), and each
// filtered binding's compiled trie in a slot the binding table's entry points at.
import ExoWire

/// One installed filter, as listings show it.
public struct InstalledFilter: Hashable, Sendable {
    public var id: FilterID
    public var target: BindingTarget
    public var session: SessionID
    public var tenant: TenantID
    public var filter: PacketFilter
}

/// The filters of every binding. Owned by `BindingTable`, which keeps each binding's
/// `filterSlot` pointing at its trie here (or -1 when it has no filters). Control path
/// only, except `tries`, which the packet path reads by slot.
struct FilterTable: Sendable {
    var byID: [FilterID: InstalledFilter] = [:]
    /// Ids per binding, in installation order.
    var byTarget: [BindingTarget: [FilterID]] = [:]
    var perSession: [SessionID: Int] = [:]
    /// Compiled tries by slot; a free slot holds an empty trie.
    var tries: [FilterTrie] = []
    var slots: [BindingTarget: Int32] = [:]
    var freeSlots: [Int32] = []
    var nextID: FilterID = 1
    let quotaPerSession: Int

    init(quotaPerSession: Int) { self.quotaPerSession = quotaPerSession }

    /// Adds filters of `session` to `target` and recompiles its trie; returns the new ids
    /// and the binding's slot. The caller checked the session holds the binding.
    mutating func add(_ filters: [PacketFilter], target: BindingTarget, session: SessionID, tenant: TenantID)
        throws(ExoError) -> (ids: [FilterID], slot: Int32)
    {
        let held = perSession[session] ?? 0
        guard filters.count <= quotaPerSession - held else { throw .filterQuotaExceeded }
        var ids: [FilterID] = []
        for filter in filters {
            let id = nextID
            nextID += 1
            byID[id] = InstalledFilter(id: id, target: target, session: session, tenant: tenant, filter: filter)
            byTarget[target, default: []].append(id)
            ids.append(id)
        }
        perSession[session] = held + filters.count
        return (ids, recompile(target))
    }

    /// Removes filter `id` of `session`: `.noSuchFilter` unless the session installed it.
    /// Returns the binding and its slot after recompiling (-1 when no filter is left).
    mutating func remove(_ id: FilterID, session: SessionID) throws(ExoError) -> (target: BindingTarget, slot: Int32) {
        guard let installed = byID[id], installed.session == session else { throw .noSuchFilter }
        forget(installed)
        byTarget[installed.target]?.removeAll { $0 == id }
        return (installed.target, recompile(installed.target))
    }

    /// Drops every filter of `target` (its binding went away) and frees its slot.
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
    }

    /// Rebuilds `target`'s trie; returns its slot, or -1 after freeing it when it has none.
    private mutating func recompile(_ target: BindingTarget) -> Int32 {
        let ids = byTarget[target] ?? []
        guard !ids.isEmpty else {
            byTarget[target] = nil
            if let slot = slots.removeValue(forKey: target) {
                tries[Int(slot)] = FilterTrie([])
                freeSlots.append(slot)
            }
            return -1
        }
        let trie = FilterTrie(ids.compactMap { id in byID[id].map { (id, $0.filter) } })
        if let slot = slots[target] {
            tries[Int(slot)] = trie
            return slot
        }
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
            tries[Int(slot)] = trie
        } else {
            slot = Int32(tries.count)
            tries.append(trie)
        }
        slots[target] = slot
        return slot
    }
}
