// The capability tokens of one daemon run: the key that seals them (which never leaves this
// type), the run id stamped into each, and the outstanding tokens. It issues a token only
// within the holding's rights and the tenants' token limits, opens a token only if this run
// sealed it and it is still outstanding for the same holding and epoch, and lists and revokes
// them; the arbiter decides who holds what.
import Crypto
import ExoWire

struct TokenAuthority {
    /// Seals and verifies tokens; never leaves the authority.
    private let key: SymmetricKey
    /// Stamped into every token; tokens of another run (another id) are refused.
    let runID: UInt64
    private(set) var tokens = TokenTable()
    /// Redeemed tokens by id, with the holding each became: what the issuer's tenant may
    /// revoke later (`FrameRevoker.revokeGrant`). Entries whose holding ended are pruned as
    /// the table grows, so it stays within twice the live redeemed holdings (and 64).
    private(set) var redeemed: [UInt64: RedeemedGrant] = [:]
    private var pruneAt = 64

    /// Precondition: `key` is 256 bits.
    init(key: SymmetricKey, runID: UInt64) {
        precondition(key.bitCount == 256, "token key must be 32 bytes")
        self.key = key
        self.runID = runID
    }

    /// Issues a token of `holding` (the issuer session's, of `issuer` tenant) for `audience`
    /// with `rights`. Checks, in order: the holding has `.grant` (`.noGrantRight`); `rights`
    /// is well formed and within the holding's (`.rightsExceeded`); the audience is configured
    /// (`.unknownTenant`); the issuer has fewer than its `tokensIssued` outstanding
    /// (`.tokenLimit`); the audience fewer than its `offersReceived`, and fewer than the
    /// issuer's share of them among `tenantCount` tenants (`.offerLimit`).
    mutating func issue(
        from holding: Holding, session: SessionID, issuer: TenantSpec?, rights: Rights, audience: TenantSpec?,
        audienceID: TenantID, tenantCount: Int
    ) throws(ExoError) -> IssuedToken {
        guard holding.rights.contains(.grant) else { throw .noGrantRight }
        guard rights.isWellFormed, holding.rights.isSuperset(of: rights) else { throw .rightsExceeded }
        guard let audience else { throw .unknownTenant }
        guard let issuer, tokens.count(issuedBy: holding.tenant) < issuer.limits.tokensIssued else { throw .tokenLimit }
        let limits = audience.limits
        guard tokens.count(addressedTo: audienceID) < limits.offersReceived,
            tokens.count(issuedBy: holding.tenant, to: audienceID) < limits.offerShare(tenants: tenantCount)
        else { throw .offerLimit }
        let info = OutstandingToken(
            tokenID: tokens.nextID(), frame: holding.frame, rights: rights, issuerTenant: holding.tenant,
            issuerSession: session, issuerHolding: holding.id, audience: audienceID)
        tokens.insert(TokenRecord(info: info, epoch: holding.epoch))
        return IssuedToken(bytes: seal(info, epoch: holding.epoch), info: info)
    }

    /// The outstanding token `bytes` are, for a session of `tenant`. Checks, in order: length,
    /// MAC (constant time, before any field is read), format version, run id and rights
    /// (`.invalidToken`); `tenant` is the audience (`.notAudience`); the token is outstanding
    /// and `issuerHolding` (its issuer holding, looked up) alive at the sealed epoch
    /// (`.tokenRevoked`). Changes nothing: `consume` takes it once the redeem will succeed.
    func verify(_ bytes: [UInt8], for tenant: TenantID, issuerHolding: (HoldingID) -> Holding?) throws(ExoError)
        -> CapabilityToken.Fields
    {
        guard let fields = CapabilityToken.open(bytes, key: key), fields.version == CapabilityToken.formatVersion,
            fields.runID == runID, fields.rights.isWellFormed
        else { throw .invalidToken }
        guard fields.audience == tenant else { throw .notAudience }
        guard let record = tokens[fields.tokenID], record.epoch == fields.epoch, record.info.frame == fields.frame,
            record.info.issuerHolding == fields.issuerHolding, record.info.rights == fields.rights,
            record.info.audience == fields.audience, let issuer = issuerHolding(fields.issuerHolding),
            issuer.epoch == fields.epoch, issuer.frame == fields.frame
        else { throw .tokenRevoked }
        return fields
    }

    /// Takes a verified token out: it was redeemed (single use).
    /// Takes the outstanding token `tokenID` out (it was redeemed as `holding`) and remembers
    /// it as a redeemed grant; `isLive` says which holdings still exist, for pruning.
    mutating func consume(_ tokenID: UInt64, redeemedAs holding: HoldingID, isLive: (HoldingID) -> Bool) {
        if let record = tokens[tokenID] { redeemed[tokenID] = RedeemedGrant(token: record.info, holding: holding) }
        tokens.remove(tokenID)
        if redeemed.count >= pruneAt {
            redeemed = redeemed.filter { isLive($0.value.holding) }
            pruneAt = max(64, redeemed.count * 2)
        }
    }

    /// Revokes every token derived from `holding` (it ended).
    mutating func revoke(issuedFrom holding: HoldingID) -> [OutstandingToken] {
        tokens.removeAll(issuedFrom: holding)
    }

    /// Revokes every token addressed to `tenant` (its last session closed).
    mutating func revoke(addressedTo tenant: TenantID) -> [OutstandingToken] {
        tokens.removeAll(addressedTo: tenant)
    }

    /// The outstanding offers addressed to `tenant` with token id `cursor` or above,
    /// ascending, at most `limit` (at least one), each with its bytes (sealed again: the same
    /// fields under the same key give the same bytes). `next`: the first further id, or nil.
    func offers(to tenant: TenantID, from cursor: UInt64, limit: Int) -> (entries: [IssuedToken], next: UInt64?) {
        var entries: [IssuedToken] = []
        for record in tokens.offers(to: tenant, from: cursor) {
            if entries.count >= max(1, limit) { return (entries, record.info.tokenID) }
            entries.append(IssuedToken(bytes: seal(record.info, epoch: record.epoch), info: record.info))
        }
        return (entries, nil)
    }

    /// Outstanding tokens with id `cursor` or above, ascending, at most `limit`; with a
    /// tenant, only those it issued or is the audience of. `next`: the first further matching
    /// id, or nil.
    func outstanding(tenant: TenantID?, from cursor: UInt64, limit: Int) -> (entries: [OutstandingToken], next: UInt64?) {
        var entries: [OutstandingToken] = []
        for token in tokens.sorted() where token.tokenID >= cursor {
            if let tenant, token.issuerTenant != tenant && token.audience != tenant { continue }
            if entries.count >= limit { return (entries, token.tokenID) }
            entries.append(token)
        }
        return (entries, nil)
    }

    private func seal(_ info: OutstandingToken, epoch: UInt64) -> [UInt8] {
        let fields = CapabilityToken.Fields(
            runID: runID, tokenID: info.tokenID, frame: info.frame, issuerHolding: info.issuerHolding, epoch: epoch,
            rights: info.rights, audience: info.audience)
        return CapabilityToken.seal(fields, key: key)
    }
}

/// A token that was redeemed, and the holding it became.
public struct RedeemedGrant: Sendable, Equatable {
    /// The token as it was outstanding: frame, rights, issuer, audience.
    public let token: OutstandingToken
    /// The audience's holding made by redeeming it.
    public let holding: HoldingID
}
