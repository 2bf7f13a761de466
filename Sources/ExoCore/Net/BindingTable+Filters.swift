// Filters on bindings: install and remove (checked once, control path), and the packet
// path's decision: the binding's exact-hash lookup, then its merged filter trie.
import ExoWire
import ExoPacket

extension BindingTable {
    /// Installs a filter of `atoms` on `target`, which `session` must hold (`.notBound`
    /// otherwise); validation errors as `PacketFilter.init(validating:for:)`;
    /// `.filterQuotaExceeded` past the session's quota, `.filterLimit` past `tenantLimit`
    /// filters of the binding's tenant. Returns the new filter's id.
    public mutating func installFilter(
        _ atoms: [FilterAtom], on target: BindingTarget, session: SessionID, tenantLimit: Int = .max
    ) throws(ExoError) -> FilterID {
        try installFilters([atoms], on: target, session: session, tenantLimit: tenantLimit)[0]
    }

    /// Installs several filters on one binding at once, all or nothing, compiling its trie
    /// once (for bulk set-up such as benchmarks). Errors as `installFilter`.
    public mutating func installFilters(
        _ filters: [[FilterAtom]], on target: BindingTarget, session: SessionID, tenantLimit: Int = .max
    ) throws(ExoError) -> [FilterID] {
        guard let holder = holder(of: target), holder.session == session else { throw .notBound }
        var validated: [PacketFilter] = []
        validated.reserveCapacity(filters.count)
        for atoms in filters { validated.append(try PacketFilter(validating: atoms, for: target)) }
        let (ids, program) = try self.filters.add(
            validated, target: target, session: session, tenant: holder.tenant, tenantLimit: tenantLimit)
        setProgram(program, of: target)
        return ids
    }

    /// Removes filter `id`, which `session` must have installed (`.noSuchFilter`
    /// otherwise). Returns what was removed.
    @discardableResult
    public mutating func removeFilter(_ id: FilterID, session: SessionID) throws(ExoError) -> InstalledFilter {
        guard let installed = filters.byID[id], installed.session == session else { throw .noSuchFilter }
        let (target, program) = try filters.remove(id, session: session)
        setProgram(program, of: target)
        return installed
    }

    /// Every installed filter, by id (installation order).
    public var installedFilters: [InstalledFilter] {
        filters.byID.values.sorted { $0.id < $1.id }
    }

    /// Number of installed filters.
    public var filterCount: Int { filters.byID.count }

    /// The filters `session` installed, by id.
    public func installedFilters(of session: SessionID) -> [InstalledFilter] {
        installedFilters.filter { $0.session == session }
    }

    /// The first-installed filter of `target`'s binding that the frame in `bytes` satisfies;
    /// nil when none does, when the binding has no filters, or when there is no binding.
    public func filterMatch(on target: BindingTarget, _ bytes: PacketBytes) -> FilterID? {
        holder(of: target)?.filters?.match(bytes)
    }

    /// Stores `target`'s new program in its entry; `filters.tries` keeps its trie alive.
    private mutating func setProgram(_ program: FilterProgram?, of target: BindingTarget) {
        switch target {
        case .endpoint(let e): endpoints[e.key]?.filters = program
        case .address(let a): addresses[a]?.filters = program
        }
    }

    // MARK: packet path

    /// Where a frame for `endpoint` goes: nil when nobody bound it; the holder's session
    /// when it has no filters or one of them matches; otherwise `.drop(.filteredOut)`.
    func delivery(for endpoint: Endpoint, _ bytes: PacketBytes) -> Delivery? {
        guard let holder = endpoints[endpoint.key] else { return nil }
        return decide(holder, bytes)
    }

    /// The same for the whole-address binding of `address`.
    func delivery(forAddress address: IPv4Address, _ bytes: PacketBytes) -> Delivery? {
        guard let holder = addresses[address] else { return nil }
        return decide(holder, bytes)
    }

    private func decide(_ holder: Holder, _ bytes: PacketBytes) -> Delivery {
        guard let program = holder.filters else { return .tenant(holder.session) }
        return program.matchesAny(bytes) ? .tenant(holder.session) : .drop(.filteredOut(holder.session))
    }
}
