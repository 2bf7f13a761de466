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

extension OperatorSession {
    /// Sets the faults injected into `direction` of the traffic between the NIC and the
    /// tenants: the link's (`tenant` nil) or one tenant's. An all-zero profile turns them off.
    /// Asks the daemon to read its configuration file again; the report says whether it was
    /// applied or refused (a refused file is not an `ExoClientError`).
    public func reload() async throws(ExoClientError) -> ReloadReport {
        try await channel.call(ControlCalls.reload)
    }

    /// Revokes the grant redeemed from token `tokenID` (any tenant's).
    public func revokeGrant(tokenID: UInt64, deadlineMillis: UInt32) async throws(ExoClientError) -> UInt64 {
        try await channel.call(ControlCalls.revokeGrant(tokenID: tokenID, deadlineMillis: deadlineMillis))
    }

    /// Asks `tenant` to give back `frames` frames within `deadlineMillis` ms.
    public func revoke(tenant: String, frames: UInt32, deadlineMillis: UInt32)
        async throws(ExoClientError) -> RevocationStarted
    {
        try await channel.call(ControlCalls.revoke(tenant: tenant, frames: frames, deadlineMillis: deadlineMillis))
    }

    public func impair(tenant: String? = nil, direction: ImpairDirection, profile: WireImpairmentProfile, seed: UInt64)
        async throws(ExoClientError)
    {
        try await channel.call(ControlCalls.impair(tenant: tenant, direction: direction, profile: profile, seed: seed))
    }
}
