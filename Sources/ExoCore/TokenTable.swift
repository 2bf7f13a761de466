// Outstanding (issued, not yet redeemed, not revoked) tokens, indexed by id, by the holding
// they derive from and by audience, so every revocation is O(tokens it revokes).
import ExoWire

/// One outstanding token with the issuer holding's epoch it was sealed with.
struct TokenRecord {
    var info: OutstandingToken
    var epoch: UInt64
}

/// Outstanding tokens. Invariant: a token id is in `byHolding` and `byAudience` exactly when
/// it is in `byID`. Token ids start at 1 and are never reused.
struct TokenTable {
    private var byID: [UInt64: TokenRecord] = [:]
    private var byHolding: [HoldingID: Set<UInt64>] = [:]
    private var byAudience: [TenantID: Set<UInt64>] = [:]
    private var lastID: UInt64 = 0

    var count: Int { byID.count }

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
    }

    /// Removes one token; returns it, or nil if it was not outstanding.
    @discardableResult
    mutating func remove(_ id: UInt64) -> OutstandingToken? {
        guard let record = byID.removeValue(forKey: id) else { return nil }
        Self.unindex(id, key: record.info.issuerHolding, in: &byHolding)
        Self.unindex(id, key: record.info.audience, in: &byAudience)
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

    private static func unindex<K: Hashable>(_ id: UInt64, key: K, in index: inout [K: Set<UInt64>]) {
        index[key]?.remove(id)
        if index[key]?.isEmpty == true { index[key] = nil }
    }
}
