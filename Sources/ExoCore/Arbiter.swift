// The arbiter: who holds which frame, by which session and tenant, and which tokens are out.
// Every request validates everything first (typed error, no state change), then invokes.
import Crypto
import ExoWire

/// The daemon's bookkeeping for the frame pool, in the style of Aegis `ae_p_alloc`,
/// `ae_p_unref` and `ae_p_add`: frames are allocated to sessions, unref'd by the holder only,
/// and shared by capability tokens the audience redeems.
///
/// Not `Sendable`: one thread (the daemon's event loop) owns an arbiter and calls it
/// synchronously. Every throwing method either throws an `ExoError` and changes nothing, or
/// succeeds completely; batches are all-or-nothing. A request naming a session that is not
/// open fails with `.notAttached`.
public final class Arbiter {
    var frames: FrameTable
    var sessions = SessionTable()
    var holdingTable = HoldingTable()
    var tenants: TenantLedger
    /// The key, the run id and the outstanding tokens.
    var authority: TokenAuthority

    /// Creates an arbiter for frames `0..<frameCount`, all free.
    /// - Parameters:
    ///   - tenants: the configured tenants; ids and names must be unique (precondition).
    ///   - tokenKey: a 256-bit HMAC key, fresh per run (precondition on its size); the arbiter
    ///     keeps its own copy for its lifetime.
    ///   - runID: distinguishes this run's tokens from another run's.
    public init(frameCount: UInt32, tenants: [TenantSpec], tokenKey: SymmetricKey, runID: UInt64) {
        authority = TokenAuthority(key: tokenKey, runID: runID)
        self.frames = FrameTable(count: frameCount)
        self.tenants = TenantLedger(tenants)
    }

    /// Stamped into every token; tokens of another run (another id) are refused.
    public var runID: UInt64 { authority.runID }

    /// Number of frames in the pool.
    public var frameCount: UInt32 { frames.count }
    /// Frames with no holding and no in-flight reference.
    public var freeFrameCount: UInt32 { frames.free.count }

    public func tenant(named name: String) -> TenantSpec? {
        tenants.id(named: name).flatMap { tenants[$0] }
    }

    public func tenant(_ id: TenantID) -> TenantSpec? { tenants[id] }

    /// Opens a session for a configured tenant (precondition: `tenant(id)` is not nil).
    /// Session ids are never reused within a run.
    public func openSession(tenant: TenantID) -> SessionID {
        precondition(tenants[tenant] != nil, "openSession for unknown tenant \(tenant)")
        tenants.sessionOpened(tenant)
        return sessions.open(tenant: tenant)
    }

    /// An id for an operator session: unique among all session ids of this run (tenant
    /// sessions' included) and never reused. Operator sessions hold nothing, so the arbiter
    /// keeps no record of them.
    public func issueOperatorSessionID() -> SessionID {
        sessions.issueID()
    }

    /// Ends a session: drops its in-flight references (its rings are gone), ends each of its
    /// holdings as `unref` would (revoking the tokens derived from them), and, if it was its
    /// tenant's last session, revokes the tokens addressed to that tenant. Frames nobody
    /// else holds become free; frames others hold stay allocated. A session that is not open
    /// yields an empty `Released`.
    public func closeSession(_ session: SessionID) -> Released {
        guard let record = sessions.close(session) else { return Released() }
        var released = Released()
        for (frame, refs) in record.inFlight where frames.removeInFlight(frame, refs: refs) {
            released.freedFrames.append(frame)
        }
        for holding in record.holdings.values {
            endHolding(holding, into: &released)
        }
        if tenants.sessionClosed(record.tenant) == 0 {
            released.revokedTokens += authority.revoke(addressedTo: record.tenant)
        }
        released.sort()
        return released
    }

    /// The tenant of an open session.
    func tenantOf(_ session: SessionID) throws(ExoError) -> TenantID {
        guard let record = sessions[session] else { throw .notAttached }
        return record.tenant
    }

    /// Records a new holding of `frame` for `session`. Cannot fail: callers validated the
    /// session, that it does not hold the frame, and the tenant's quota.
    func addHolding(frame: FrameNumber, session: SessionID, tenant: TenantID, rights: Rights, epoch: UInt64) -> Holding {
        let holding = holdingTable.insert(frame: frame, session: session, tenant: tenant, rights: rights, epoch: epoch)
        frames.addHolder(holding.id, to: frame)
        sessions.setHolding(session, frame: frame, holding: holding.id)
        tenants.holdingAdded(tenant)
        return holding
    }

    /// Ends a holding: frees the frame if nothing else keeps it and revokes every token
    /// derived from the holding. Does not touch the session's record (callers do).
    func endHolding(_ id: HoldingID, into released: inout Released) {
        guard let holding = holdingTable.remove(id) else { return }
        if frames.removeHolder(id, from: holding.frame) { released.freedFrames.append(holding.frame) }
        tenants.holdingEnded(holding.tenant)
        released.revokedTokens += authority.revoke(issuedFrom: id)
    }
}

/// One thread owns an arbiter; it must never be shared across concurrency domains.
@available(*, unavailable)
extension Arbiter: Sendable {}
