// Who receives what: each binding ties an endpoint (or a whole address) to one session. The
// grant is checked once, at bind time; the packet path does one hash lookup.
import ExoWire
import ExoPacket

/// What a binding names: a transport endpoint, or a whole address (everything addressed to
/// it that no endpoint binding claims: ARP, echo, fragments, other protocols).
public enum BindingTarget: Hashable, Sendable, CustomStringConvertible {
    case endpoint(Endpoint)
    case address(IPv4Address)

    public var description: String {
        switch self {
        case .endpoint(let e): "\(e)"
        case .address(let a): "address \(a)"
        }
    }
}

/// One binding: its target, and the session (of `tenant`) that receives its traffic.
public struct Binding: Hashable, Sendable {
    public var target: BindingTarget
    public var session: SessionID
    public var tenant: TenantID
}

/// Every binding of every session, and the filters that narrow them (BindingTable+Filters).
/// Each endpoint and each address is bound at most once.
public struct BindingTable: Sendable {
    struct Holder: Sendable {
        var session: SessionID
        var tenant: TenantID
        /// This binding's compiled filters (its trie lives in `filters.tries`), or nil: no
        /// filters. A plain pointer value, so looking a holder up costs no reference counting.
        var filters: FilterProgram?
    }
    var endpoints: [UInt64: Holder] = [:]
    var addresses: [IPv4Address: Holder] = [:]
    private var bySession: [SessionID: [BindingTarget]] = [:]
    /// Bindings per tenant (every session of it), for `limits.bindings`.
    private var perTenant: [TenantID: Int] = [:]
    var filters: FilterTable

    /// An empty table; each session may install up to `filterQuotaPerSession` filters.
    public init(filterQuotaPerSession: Int = BindingTable.defaultFilterQuota) {
        filters = FilterTable(quotaPerSession: filterQuotaPerSession)
    }

    /// Filters one session may have installed at once, unless the table is made with another quota.
    public static let defaultFilterQuota = 1_024

    /// Number of bindings.
    public var count: Int { endpoints.count + addresses.count }

    /// Bindings of all `tenant`'s sessions.
    public func count(of tenant: TenantID) -> Int { perTenant[tenant] ?? 0 }

    /// Filters installed by all `tenant`'s sessions.
    public func filterCount(of tenant: TenantID) -> Int { filters.perTenant[tenant] ?? 0 }

    /// Binds `endpoint` for `session` of `tenant`: `.notGranted` unless the plan grants it
    /// to the tenant, `.endpointInUse` if any session (this one included) already bound it,
    /// `.bindingLimit` if the tenant already has `limit` bindings.
    public mutating func bind(
        _ endpoint: Endpoint, session: SessionID, tenant: TenantID, plan: AddressPlan, limit: Int = .max
    ) throws(ExoError) {
        guard plan.grants(endpoint, to: tenant) else { throw .notGranted }
        guard endpoints[endpoint.key] == nil else { throw .endpointInUse }
        guard count(of: tenant) < limit else { throw .bindingLimit }
        endpoints[endpoint.key] = Holder(session: session, tenant: tenant)
        bySession[session, default: []].append(.endpoint(endpoint))
        perTenant[tenant, default: 0] += 1
    }

    /// Binds a whole address: `.notGranted` unless the tenant owns it whole,
    /// `.endpointInUse` if a session already bound it, `.bindingLimit` as `bind`.
    public mutating func bindAddress(
        _ address: IPv4Address, session: SessionID, tenant: TenantID, plan: AddressPlan, limit: Int = .max
    ) throws(ExoError) {
        guard plan.owner(of: address) == .whole(tenant) else { throw .notGranted }
        guard addresses[address] == nil else { throw .endpointInUse }
        guard count(of: tenant) < limit else { throw .bindingLimit }
        addresses[address] = Holder(session: session, tenant: tenant)
        bySession[session, default: []].append(.address(address))
        perTenant[tenant, default: 0] += 1
    }

    /// Removes `session`'s binding of `target`; `.notBound` if the session does not hold it.
    public mutating func unbind(_ target: BindingTarget, session: SessionID) throws(ExoError) {
        guard holder(of: target)?.session == session else { throw .notBound }
        remove(target)
        bySession[session]?.removeAll { $0 == target }
        if bySession[session]?.isEmpty == true { bySession[session] = nil }
    }

    /// Removes every binding of `session` (it ended) and returns what it held.
    @discardableResult
    public mutating func unbindAll(session: SessionID) -> [Binding] {
        guard let targets = bySession.removeValue(forKey: session) else { return [] }
        var removed: [Binding] = []
        for target in targets {
            if let holder = holder(of: target) {
                removed.append(Binding(target: target, session: session, tenant: holder.tenant))
            }
            remove(target)
        }
        return removed
    }

    /// The session bound to exactly `endpoint` (one hash lookup).
    @inline(__always) public func session(for endpoint: Endpoint) -> SessionID? {
        endpoints[endpoint.key]?.session
    }

    /// The session bound to the whole address `address` (one hash lookup).
    @inline(__always) public func session(forAddress address: IPv4Address) -> SessionID? {
        addresses[address]?.session
    }

    /// `session`'s bindings, in the order they were made.
    public func bindings(of session: SessionID) -> [Binding] {
        (bySession[session] ?? []).compactMap { target in
            holder(of: target).map { Binding(target: target, session: session, tenant: $0.tenant) }
        }
    }

    /// Every binding, ordered by session then binding order (for listings).
    public var all: [Binding] {
        bySession.keys.sorted().flatMap { bindings(of: $0) }
    }

    func holder(of target: BindingTarget) -> Holder? {
        switch target {
        case .endpoint(let e): endpoints[e.key]
        case .address(let a): addresses[a]
        }
    }

    private mutating func remove(_ target: BindingTarget) {
        if let tenant = holder(of: target)?.tenant {
            let left = (perTenant[tenant] ?? 1) - 1
            perTenant[tenant] = left > 0 ? left : nil
        }
        filters.removeAll(of: target)
        switch target {
        case .endpoint(let e): endpoints[e.key] = nil
        case .address(let a): addresses[a] = nil
        }
    }
}
