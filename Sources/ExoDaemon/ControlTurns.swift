// Whose control requests the daemon's one thread serves next. Sessions with requests waiting
// are grouped by owner (a tenant, or the uid of a peer not attached as a tenant); owners take
// turns, round robin, each turn at most `requestsPerTurn` requests (one per session, round
// robin over the owner's sessions), and each owner may use at most `share` of the daemon's
// time on its requests (a bucket of time that refills with the clock). Requests over the
// budget stay in the owner's own sockets. Pure bookkeeping: the daemon reads and times.

/// An owner's allowance of the daemon's time: refills at `share` of the clock, up to `burst`;
/// a request may start while the balance is positive, and its measured cost is taken off.
struct TimeBucket: Equatable {
    private(set) var balance: Int64
    private var refilledAt: UInt64

    init(now: UInt64, burst: Int64) {
        balance = burst
        refilledAt = now
    }

    mutating func refill(now: UInt64, share: ControlTurns.Share, burst: Int64) {
        guard now > refilledAt else { return }
        let earned = Int64(clamping: (now - refilledAt) / share.denominator)
        balance = min(burst, balance &+ earned)
        refilledAt = now
    }

    mutating func charge(_ nanoseconds: UInt64) { balance &-= Int64(clamping: nanoseconds) }

    /// When the balance will be positive again (now if it is).
    func servableAt(now: UInt64, share: ControlTurns.Share) -> UInt64 {
        balance > 0 ? now : now &+ UInt64(-balance + 1) * share.denominator
    }
}

/// The turns of control work among owners. Not thread-safe (the daemon's loop only).
struct ControlTurns {
    /// Who a session's requests are charged to.
    enum Owner: Hashable {
        case tenant(UInt32)
        /// A peer not attached as a tenant (awaiting its hello, or an operator), by uid.
        case peer(uid: UInt32)
    }

    /// A fraction 1/denominator of the clock.
    struct Share: Equatable {
        var denominator: UInt64
    }

    struct Budget: Equatable {
        /// Requests of one owner served in one turn.
        var requestsPerTurn: Int
        /// The part of the daemon's time one owner's requests may use.
        var share: Share
        /// Time an owner that was idle may use at once.
        var burstNanoseconds: Int64

        /// The daemon's: 8 requests a turn; an eighth of the time, 10 ms at once.
        static let daemon = Budget(requestsPerTurn: 8, share: Share(denominator: 8), burstNanoseconds: 10_000_000)
    }

    let budget: Budget
    /// Owners with sessions whose requests wait, in turn order.
    private(set) var order: [Owner] = []
    /// Each waiting owner's sessions with requests waiting, in turn order.
    private var waiting: [Owner: [UInt64]] = [:]
    private var ownerOf: [UInt64: Owner] = [:]
    private var buckets: [Owner: TimeBucket] = [:]

    init(budget: Budget = .daemon) { self.budget = budget }

    /// Whether no session has requests waiting.
    var isEmpty: Bool { order.isEmpty }

    /// `session` (of `owner`) has requests waiting. Idempotent.
    mutating func markWaiting(_ session: UInt64, owner: Owner) {
        if let current = ownerOf[session] {
            if current == owner { return }
            markDone(session, now: 0)
        }
        ownerOf[session] = owner
        if waiting[owner] == nil { order.append(owner) }
        waiting[owner, default: []].append(session)
    }

    /// `session` has nothing waiting any more (its socket would block, or it ended). An
    /// owner left with nothing waiting whose bucket is full again is forgotten (a new bucket
    /// starts full), so idle owners cost nothing; one still in debt keeps its debt.
    mutating func markDone(_ session: UInt64, now: UInt64) {
        guard let owner = ownerOf.removeValue(forKey: session) else { return }
        waiting[owner]?.removeAll { $0 == session }
        guard waiting[owner]?.isEmpty == true else { return }
        waiting[owner] = nil
        order.removeAll { $0 == owner }
        if var bucket = buckets[owner] {
            bucket.refill(now: now, share: budget.share, burst: budget.burstNanoseconds)
            buckets[owner] = bucket.balance >= budget.burstNanoseconds ? nil : bucket
        }
    }

    /// Whether `owner` may start a request now (its time bucket is positive).
    mutating func mayServe(_ owner: Owner, now: UInt64) -> Bool {
        var bucket = buckets[owner] ?? TimeBucket(now: now, burst: budget.burstNanoseconds)
        bucket.refill(now: now, share: budget.share, burst: budget.burstNanoseconds)
        buckets[owner] = bucket
        return bucket.balance > 0
    }

    /// The session of `owner` whose request goes next; it moves to the back of the owner's
    /// sessions (one request per session in turn).
    mutating func nextSession(of owner: Owner) -> UInt64? {
        guard var sessions = waiting[owner], !sessions.isEmpty else { return nil }
        let session = sessions.removeFirst()
        sessions.append(session)
        waiting[owner] = sessions
        return session
    }

    /// Takes a served request's measured time off its owner's bucket.
    mutating func charge(_ owner: Owner, nanoseconds: UInt64) {
        buckets[owner]?.charge(nanoseconds)
    }

    /// `owner` had its turn: it goes to the back of the order.
    mutating func endTurn(of owner: Owner) {
        guard let index = order.firstIndex(of: owner) else { return }
        order.remove(at: index)
        order.append(owner)
    }

    /// When the loop must look at the waiting requests again: now if an owner may be
    /// served, else when the first bucket becomes positive; nil when nothing waits.
    func nextServiceTime(now: UInt64) -> UInt64? {
        var earliest: UInt64?
        for owner in order {
            var bucket = buckets[owner] ?? TimeBucket(now: now, burst: budget.burstNanoseconds)
            bucket.refill(now: now, share: budget.share, burst: budget.burstNanoseconds)
            earliest = min(earliest ?? .max, bucket.servableAt(now: now, share: budget.share))
        }
        return earliest
    }

    /// Owners that hold a time bucket (for tests: idle owners are forgotten).
    var bucketCount: Int { buckets.count }
}
