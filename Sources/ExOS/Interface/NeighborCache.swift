// The ARP cache (RFC 826, RFC 1122 §2.3.2): IPv4 address to MAC, with expiry, refresh of
// entries in use, and the retry state of addresses being resolved. A fixed table; finding
// an entry is a scan of a few dozen 4-byte keys, cheaper here than hashing.

import ExoPacket

/// The state of one neighbor.
enum NeighborState: Equatable {
    /// Being resolved: `attempts` requests sent, the next due at `retryAt`; `source` is the
    /// local address index the requests are sent from.
    case incomplete(attempts: Int, retryAt: Instant, source: Int)
    /// Known until `expiresAt`; `refreshing` once a unicast re-request has gone out.
    case reachable(mac: MACAddress, expiresAt: Instant, refreshing: Bool)
    /// Told by the configuration (the gateway): never expires.
    case permanent(mac: MACAddress)
}

struct NeighborEntry {
    var address: IPv4Address
    var state: NeighborState
    /// Frames waiting for this neighbor, in `PendingFrames`.
    var pending = PendingList()
}

/// What a lookup found.
enum NeighborAnswer: Equatable {
    case found(MACAddress)
    /// Found, and old enough that a unicast request should confirm it (`source` asks).
    case foundNeedsRefresh(MACAddress)
    /// Being resolved already (entry index).
    case resolving(Int)
    case missing
}

struct NeighborCache {
    private(set) var entries: [NeighborEntry?]
    let lifetime: Interval
    let refreshBefore: Interval

    init(capacity: Int, lifetime: Interval, refreshBefore: Interval) {
        entries = Array(repeating: nil, count: max(capacity, 1))
        self.lifetime = lifetime
        self.refreshBefore = refreshBefore
    }

    func index(of address: IPv4Address) -> Int? {
        for i in entries.indices where entries[i]?.address == address { return i }
        return nil
    }

    subscript(index: Int) -> NeighborEntry {
        get { entries[index]! }
        _modify { yield &entries[index]! }
    }

    /// Looks `address` up at `now`; an expired entry counts as missing (and is freed).
    mutating func lookup(_ address: IPv4Address, now: Instant) -> NeighborAnswer {
        guard let i = index(of: address), let entry = entries[i] else { return .missing }
        switch entry.state {
        case .permanent(let mac):
            return .found(mac)
        case .incomplete:
            return .resolving(i)
        case .reachable(let mac, let expiresAt, let refreshing):
            if now >= expiresAt {
                if entry.pending.isEmpty { entries[i] = nil }
                return .missing
            }
            if !refreshing, expiresAt - now <= refreshBefore {
                entries[i]!.state = .reachable(mac: mac, expiresAt: expiresAt, refreshing: true)
                return .foundNeedsRefresh(mac)
            }
            return .found(mac)
        }
    }

    /// Starts resolving `address` (first request already due at `now`); returns the entry
    /// index, or nil when every entry is busy resolving (nothing to evict).
    mutating func startResolving(_ address: IPv4Address, source: Int, now: Instant) -> Int? {
        let state = NeighborState.incomplete(attempts: 0, retryAt: now, source: source)
        if let i = index(of: address) {
            entries[i]!.state = state
            return i
        }
        guard let i = freeOrEvictable(now: now) else { return nil }
        entries[i] = NeighborEntry(address: address, state: state)
        return i
    }

    /// Records that `address` is at `mac` (from an ARP packet). Creates an entry only when
    /// `create` (the packet was for us: RFC 826's merge rule); returns the entry index if it
    /// exists afterwards.
    @discardableResult
    mutating func learn(_ address: IPv4Address, mac: MACAddress, now: Instant, create: Bool) -> Int? {
        let state = NeighborState.reachable(mac: mac, expiresAt: now + lifetime, refreshing: false)
        if let i = index(of: address) {
            if case .permanent = entries[i]!.state { return i }
            entries[i]!.state = state
            return i
        }
        guard create, let i = freeOrEvictable(now: now) else { return nil }
        entries[i] = NeighborEntry(address: address, state: state)
        return i
    }

    /// Adds a permanent entry (the configured gateway).
    mutating func setPermanent(_ address: IPv4Address, mac: MACAddress) {
        let i = index(of: address) ?? entries.firstIndex(where: { $0 == nil }) ?? 0
        entries[i] = NeighborEntry(address: address, state: .permanent(mac: mac))
    }

    /// Frees entry `index` (a resolution given up).
    mutating func remove(at index: Int) { entries[index] = nil }

    /// A free entry, else the reachable entry closest to expiry; never an entry being
    /// resolved (it owns pending frames) or a permanent one.
    private func freeOrEvictable(now: Instant) -> Int? {
        var victim: Int?
        var earliest = Instant(nanoseconds: .max)
        for i in entries.indices {
            guard let entry = entries[i] else { return i }
            if case .reachable(_, let expiresAt, _) = entry.state, entry.pending.isEmpty, expiresAt < earliest {
                earliest = expiresAt
                victim = i
            }
        }
        return victim
    }

    /// The earliest retry due among entries being resolved.
    var nextRetry: Instant? {
        var earliest: Instant?
        for case let entry? in entries {
            if case .incomplete(_, let retryAt, _) = entry.state, earliest.map({ retryAt < $0 }) ?? true {
                earliest = retryAt
            }
        }
        return earliest
    }
}
