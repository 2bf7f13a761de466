// Sharing a frame: grant derives a sealed token from a holding (rights only narrow); redeem
// verifies it and gives the audience an independent holding of its own.
import ExoWire

extension Arbiter {
    /// Issues a single-use token that lets a session of `audience` redeem a holding of `frame`
    /// with `rights`. Checks, in order: `.outOfRange`; the caller holds the frame
    /// (`.notHolder`); its holding has `.grant` (`.noGrantRight`); `rights` is well formed and
    /// within the holding's rights (`.rightsExceeded`); the audience is configured
    /// (`.unknownTenant`); the caller's tenant has fewer than `limits.tokensIssued` outstanding
    /// tokens (`.tokenLimit`); the audience has fewer than its `limits.offersReceived`
    /// outstanding offers, and fewer than the issuer's share of them (`.offerLimit`). Granting
    /// to one's own tenant is allowed. The token lives until redeemed, until the caller's
    /// holding ends, or until the audience's last session closes.
    public func grant(session: SessionID, frame: FrameNumber, rights: Rights, audience: TenantID) throws(ExoError) -> IssuedToken {
        let tenant = try tenantOf(session)
        guard frames.contains(frame) else { throw .outOfRange }
        guard let id = sessions.holding(session, frame: frame), let holding = holdingTable[id] else { throw .notHolder }
        return try authority.issue(
            from: holding, session: session, issuer: tenants[tenant], rights: rights, audience: tenants[audience],
            audienceID: audience, tenantCount: tenants.count)
    }

    /// Redeems a token for the caller: a new holding of the token's frame with the token's
    /// rights, counted against the caller's tenant, independent of the issuer's holding from
    /// then on. The token is consumed. Checks, in order: length, MAC (constant time, before
    /// any field is read), format version and run id (`.invalidToken`); the caller's tenant is
    /// the audience (`.notAudience`); the token is outstanding and its issuer holding alive at
    /// the sealed epoch (`.tokenRevoked`); the caller does not hold the frame
    /// (`.alreadyHolder`); quota (`.overQuota`). A refused token stays as it was.
    public func redeem(session: SessionID, token: [UInt8]) throws(ExoError) -> Holding {
        let tenant = try tenantOf(session)
        let fields = try authority.verify(token, for: tenant) { holdingTable[$0] }
        guard sessions.holding(session, frame: fields.frame) == nil else { throw .alreadyHolder }
        guard tenants.fits(tenant, adding: 1) else { throw .overQuota }

        let holding = addHolding(
            frame: fields.frame, session: session, tenant: tenant, rights: fields.rights,
            epoch: frames.generation(fields.frame))
        authority.consume(fields.tokenID, redeemedAs: holding.id) { holdingTable[$0] != nil }
        return holding
    }
}

extension Arbiter {
    /// The outstanding offers addressed to `tenant` with token id `cursor` or above, ascending,
    /// at most `limit`, each with its token's bytes (sealed again: the same fields under the
    /// same key give the same bytes) so the audience can redeem what it lists. `next` is the
    /// first further id, or nil when there is none.
    public func offers(to tenant: TenantID, from cursor: UInt64, limit: Int) -> (entries: [IssuedToken], next: UInt64?) {
        authority.offers(to: tenant, from: cursor, limit: limit)
    }

    /// Outstanding offers addressed to `tenant`.
    public func offerCount(to tenant: TenantID) -> Int { authority.tokens.count(addressedTo: tenant) }

    /// Outstanding tokens `tenant` issued.
    public func tokenCount(issuedBy tenant: TenantID) -> Int { authority.tokens.count(issuedBy: tenant) }
}
