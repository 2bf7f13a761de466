// Read-only views for `exoctl` and the daemon: holdings, frames, tokens and usage, each in a
// deterministic order (frame number, token id) and paged by a cursor.
import ExoWire

extension Arbiter {
    /// The session's holdings by ascending frame number; empty if the session is not open.
    public func holdings(of session: SessionID) -> [Holding] { sessions.holdings(of: session) { holdingTable[$0] } }

    /// Allocated frames numbered `cursor` or above, ascending, at most `limit` of them; with a
    /// tenant, only frames one of its sessions holds (each listed with all its holders).
    /// `next` is the first further matching frame, to pass as the next cursor, or nil when
    /// there is none. O(pool) at worst: a listing, not a request path.
    public func frameStates(tenant: TenantID?, from cursor: FrameNumber, limit: Int) -> (entries: [FrameState], next: FrameNumber?) {
        frames.states(tenant: tenant, from: cursor, limit: limit) { holdingTable[$0] }
    }

    /// Outstanding tokens with id `cursor` or above, ascending, at most `limit`; with a tenant,
    /// only those it issued or is the audience of. `next` is the first further matching id,
    /// or nil when there is none.
    public func outstandingTokens(tenant: TenantID?, from cursor: UInt64, limit: Int) -> (entries: [OutstandingToken], next: UInt64?) {
        authority.outstanding(tenant: tenant, from: cursor, limit: limit)
    }

    /// Holdings of all the tenant's sessions and its open sessions (zero for unknown tenants).
    public func usage(of tenant: TenantID) -> TenantUsage { tenants.usage(tenant) }

    /// Open sessions.
    public var sessionCount: Int { sessions.count }
    /// Live holdings of all sessions.
    public var holdingCount: Int { holdingTable.count }
    /// Tokens issued and still redeemable.
    public var outstandingTokenCount: Int { authority.tokens.count }
}
