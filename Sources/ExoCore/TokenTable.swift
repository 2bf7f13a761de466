// Outstanding (issued, not yet redeemed, not revoked) tokens, indexed by id, by the holding
// they derive from and by audience, so every revocation is O(tokens it revokes).
import ExoWire

/// One outstanding token with the issuer holding's epoch it was sealed with.
struct TokenRecord {
    var info: OutstandingToken
    var epoch: UInt64
}

/// Outstanding tokens. Invariant: a token id is in `byHolding` and `byAudience` exactly when
/// it is in `byID`, and `issued`/`pairs` count exactly the tokens of `byID` by issuer tenant
/// and by (issuer, audience). Token ids start at 1 and are never reused.
struct TokenTable {
    private var byID: [UInt64: TokenRecord] = [:]
    private var byHolding: [HoldingID: Set<UInt64>] = [:]
    private var byAudience: [TenantID: Set<UInt64>] = [:]
    private var issued: [TenantID: Int] = [:]
    private var pairs: [UInt64: Int] = [:]
    private var lastID: UInt64 = 0

    var count: Int { byID.count }

    /// Outstanding tokens `tenant` issued.
    func count(issuedBy tenant: TenantID) -> Int { issued[tenant] ?? 0 }

    /// Outstanding offers addressed to `tenant`.
    func count(addressedTo tenant: TenantID) -> Int { byAudience[tenant]?.count ?? 0 }

    /// Outstanding offers `issuer` made to `audience`.
    func count(issuedBy issuer: TenantID, to audience: TenantID) -> Int { pairs[Self.pair(issuer, audience)] ?? 0 }

    /// Outstanding offers addressed to `tenant`, in ascending id order from `cursor`.
    func offers(to tenant: TenantID, from cursor: UInt64) -> [TokenRecord] {
        (byAudience[tenant] ?? []).filter { $0 >= cursor }.sorted().compactMap { byID[$0] }
    }

    subscript(id: UInt64) -> TokenRecord? { byID[id] }

    /// A fresh token id; call only when the grant will certainly be recorded.
    mutating func nextID() -> UInt64 {
        lastID += 1
        return lastID
    }

    mutating func insert(_ record: TokenRecord) {
        let id = record.info.tokenID
        byID[id] = record
        byHolding[record.info.issuerHolding, default: []].insert(id)
        byAudience[record.info.audience, default: []].insert(id)
        issued[record.info.issuerTenant, default: 0] += 1
        pairs[Self.pair(record.info.issuerTenant, record.info.audience), default: 0] += 1
    }

    /// Removes one token; returns it, or nil if it was not outstanding.
    @discardableResult
    mutating func remove(_ id: UInt64) -> OutstandingToken? {
        guard let record = byID.removeValue(forKey: id) else { return nil }
        Self.unindex(id, key: record.info.issuerHolding, in: &byHolding)
        Self.unindex(id, key: record.info.audience, in: &byAudience)
        Self.decrement(record.info.issuerTenant, in: &issued)
        Self.decrement(Self.pair(record.info.issuerTenant, record.info.audience), in: &pairs)
        return record.info
    }

    /// Removes every token derived from `holding`.
    mutating func removeAll(issuedFrom holding: HoldingID) -> [OutstandingToken] {
        guard let ids = byHolding[holding] else { return [] }
        return ids.compactMap { remove($0) }
    }

    /// Removes every token addressed to `tenant`.
    mutating func removeAll(addressedTo tenant: TenantID) -> [OutstandingToken] {
        guard let ids = byAudience[tenant] else { return [] }
        return ids.compactMap { remove($0) }
    }

    /// Outstanding tokens in ascending id order (for listings; O(n log n)).
    func sorted() -> [OutstandingToken] {
        byID.values.map(\.info).sorted { $0.tokenID < $1.tokenID }
    }

    private static func pair(_ issuer: TenantID, _ audience: TenantID) -> UInt64 {
        UInt64(issuer) << 32 | UInt64(audience)
    }

    private static func decrement<K: Hashable>(_ key: K, in counts: inout [K: Int]) {
        let left = (counts[key] ?? 1) - 1
        counts[key] = left > 0 ? left : nil
    }

    private static func unindex<K: Hashable>(_ id: UInt64, key: K, in index: inout [K: Set<UInt64>]) {
        index[key]?.remove(id)
        if index[key]?.isEmpty == true { index[key] = nil }
    }
}
