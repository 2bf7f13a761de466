// The operator's data-path queries: every binding (all pages), per-tenant counters and the
// NIC's state, as `exoctl bindings|stats|nic` show them.

import ExoWire

extension OperatorSession {
    /// Every data-path binding, or those of `tenant` (all pages).
    public func bindings(tenant: String? = nil) async throws(ExoClientError) -> [BindingInfo] {
        try await collect { page in ControlCalls.bindings(tenant: tenant, page: page) }
    }

    /// One entry per configured tenant: packets, bytes and named drop counts.
    public func stats() async throws(ExoClientError) -> [TenantStats] {
        try await channel.call(ControlCalls.stats)
    }

    /// The daemon's NIC (backend "none" when it has none).
    public func nic() async throws(ExoClientError) -> NicInfo {
        try await channel.call(ControlCalls.nic)
    }
}
