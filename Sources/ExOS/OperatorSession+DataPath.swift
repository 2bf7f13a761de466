// The operator's data-path queries: every binding (all pages), per-tenant counters and the
// NIC's state, as `exoctl bindings|stats|nic` show them.

import ExoWire

extension OperatorSession {
    /// Every data-path binding, or those of `tenant` (all pages).
    public func bindings(tenant: String? = nil) async throws(ExOSError) -> [BindingInfo] {
        try await PageCollector.collect { (page: Page) async throws(ExOSError) -> ListingPage<BindingInfo> in
            let reply = try await channel.request(.bindings(tenant: tenant, page: page))
            guard case .bindings(let listing) = reply else { throw .unexpectedReply(reply, expected: "bindings") }
            return listing
        }
    }

    /// One entry per configured tenant: packets, bytes and named drop counts.
    public func stats() async throws(ExOSError) -> [TenantStats] {
        let reply = try await channel.request(.stats)
        guard case .stats(let stats) = reply else { throw .unexpectedReply(reply, expected: "stats") }
        return stats
    }

    /// The daemon's NIC (backend "none" when it has none).
    public func nic() async throws(ExOSError) -> NicInfo {
        let reply = try await channel.request(.nic)
        guard case .nic(let nic) = reply else { throw .unexpectedReply(reply, expected: "nic") }
        return nic
    }
}
