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
        guard holding.rights.contains(.grant) else { throw .noGrantRight }
        guard rights.isWellFormed, holding.rights.isSuperset(of: rights) else { throw .rightsExceeded }
        guard let audienceSpec = tenants[audience] else { throw .unknownTenant }
        guard let issuerSpec = tenants[tenant], tokens.count(issuedBy: tenant) < issuerSpec.limits.tokensIssued
        else { throw .tokenLimit }
        let limits = audienceSpec.limits
        guard tokens.count(addressedTo: audience) < limits.offersReceived,
            tokens.count(issuedBy: tenant, to: audience) < limits.offerShare(tenants: tenants.count)
        else { throw .offerLimit }

        let info = OutstandingToken(
            tokenID: tokens.nextID(), frame: frame, rights: rights, issuerTenant: tenant,
            issuerSession: session, issuerHolding: holding.id, audience: audience)
        tokens.insert(TokenRecord(info: info, epoch: holding.epoch))
        let fields = CapabilityToken.Fields(
            runID: runID, tokenID: info.tokenID, frame: frame, issuerHolding: holding.id,
            epoch: holding.epoch, rights: rights, audience: audience)
        return IssuedToken(bytes: CapabilityToken.seal(fields, key: tokenKey), info: info)
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
        guard let fields = CapabilityToken.open(token, key: tokenKey),
              fields.version == CapabilityToken.formatVersion,
              fields.runID == runID,
              fields.rights.isWellFormed
        else { throw .invalidToken }
        guard fields.audience == tenant else { throw .notAudience }
        guard let record = tokens[fields.tokenID],
              record.epoch == fields.epoch,
              record.info.frame == fields.frame,
              record.info.issuerHolding == fields.issuerHolding,
              record.info.rights == fields.rights,
              record.info.audience == fields.audience,
              let issuer = holdingTable[fields.issuerHolding],
              issuer.epoch == fields.epoch,
              issuer.frame == fields.frame
        else { throw .tokenRevoked }
        guard sessions.holding(session, frame: fields.frame) == nil else { throw .alreadyHolder }
        guard tenants.fits(tenant, adding: 1) else { throw .overQuota }

        tokens.remove(fields.tokenID)
        return addHolding(
            frame: fields.frame, session: session, tenant: tenant, rights: fields.rights,
            epoch: frames.generation(fields.frame))
    }
}

extension Arbiter {
    /// The outstanding offers addressed to `tenant` with token id `cursor` or above, ascending,
    /// at most `limit`, each with its token's bytes (sealed again: the same fields under the
    /// same key give the same bytes) so the audience can redeem what it lists. `next` is the
    /// first further id, or nil when there is none.
    public func offers(to tenant: TenantID, from cursor: UInt64, limit: Int) -> (entries: [IssuedToken], next: UInt64?) {
        var entries: [IssuedToken] = []
        for record in tokens.offers(to: tenant, from: cursor) {
            if entries.count >= max(1, limit) { return (entries, record.info.tokenID) }
            let info = record.info
            let fields = CapabilityToken.Fields(
                runID: runID, tokenID: info.tokenID, frame: info.frame, issuerHolding: info.issuerHolding,
                epoch: record.epoch, rights: info.rights, audience: info.audience)
            entries.append(IssuedToken(bytes: CapabilityToken.seal(fields, key: tokenKey), info: info))
        }
        return (entries, nil)
    }

    /// Outstanding offers addressed to `tenant`.
    public func offerCount(to tenant: TenantID) -> Int { tokens.count(addressedTo: tenant) }

    /// Outstanding tokens `tenant` issued.
    public func tokenCount(issuedBy tenant: TenantID) -> Int { tokens.count(issuedBy: tenant) }
}
