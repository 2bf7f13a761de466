// Read-only views for `exoctl` and the daemon: holdings, frames, tokens and usage, each in a
// deterministic order (frame number, token id) and paged by a cursor.
import ExoWire

extension Arbiter {
    /// The session's holdings by ascending frame number; empty if the session is not open.
    public func holdings(of session: SessionID) -> [Holding] {
        guard let record = sessions[session] else { return [] }
        return record.holdings.keys.sorted().compactMap { frame in
            record.holdings[frame].flatMap { holdingTable[$0] }
        }
    }

    /// Allocated frames numbered `cursor` or above, ascending, at most `limit` of them; with a
    /// tenant, only frames one of its sessions holds (each listed with all its holders).
    /// `next` is the first further matching frame, to pass as the next cursor, or nil when
    /// there is none. O(pool) at worst: a listing, not a request path.
    public func frameStates(tenant: TenantID?, from cursor: FrameNumber, limit: Int) -> (entries: [FrameState], next: FrameNumber?) {
        var entries: [FrameState] = []
        var frame = cursor
        while frame < frames.count {
            if let state = frameState(frame, tenant: tenant) {
                if entries.count >= limit { return (entries, frame) }
                entries.append(state)
            }
            frame += 1
        }
        return (entries, nil)
    }

    /// Outstanding tokens with id `cursor` or above, ascending, at most `limit`; with a tenant,
    /// only those it issued or is the audience of. `next` is the first further matching id,
    /// or nil when there is none.
    public func outstandingTokens(tenant: TenantID?, from cursor: UInt64, limit: Int) -> (entries: [OutstandingToken], next: UInt64?) {
        var entries: [OutstandingToken] = []
        for token in tokens.sorted() where token.tokenID >= cursor {
            if let tenant, token.issuerTenant != tenant && token.audience != tenant { continue }
            if entries.count >= limit { return (entries, token.tokenID) }
            entries.append(token)
        }
        return (entries, nil)
    }

    /// Holdings of all the tenant's sessions and its open sessions (zero for unknown tenants).
    public func usage(of tenant: TenantID) -> TenantUsage { tenants.usage(tenant) }

    /// Open sessions.
    public var sessionCount: Int { sessions.count }
    /// Live holdings of all sessions.
    public var holdingCount: Int { holdingTable.count }
    /// Tokens issued and still redeemable.
    public var outstandingTokenCount: Int { tokens.count }

    /// The frame's state if it is allocated and matches the tenant filter.
    private func frameState(_ frame: FrameNumber, tenant: TenantID?) -> FrameState? {
        guard !frames.isFree(frame) else { return nil }
        let holders = frames.holders(frame).compactMap { holdingTable[$0] }
        if let tenant, !holders.contains(where: { $0.tenant == tenant }) { return nil }
        return FrameState(frame: frame, epoch: frames.generation(frame), inFlight: frames.inFlight(frame), holders: holders)
    }
}
