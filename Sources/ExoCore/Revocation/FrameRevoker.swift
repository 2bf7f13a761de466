// Visible revocation and the abort protocol on top of the arbiter: asks a tenant for frames
// (capping what it may take meanwhile), notices when it has complied, and at the deadline
// takes what it did not give back: idle frames at once, frames on its rings as they come back.
import ExoWire

/// What the abort protocol did to one tenant at one revocation's deadline.
public struct Repossession: Sendable {
    public let revocation: Revocation
    /// Holdings ended now, by session and frame.
    public var taken: [(session: SessionID, frame: FrameNumber)] = []
    /// Holdings that end when their frame comes back from a ring (`FrameRevoker.handedBack`).
    public var condemned: [(session: SessionID, frame: FrameNumber)] = []
    /// Frames that became free (the daemon wipes and forgets their memory) and tokens that
    /// died with the holdings.
    public var released = Released()
    /// Frames taken from a revoked grant that others still hold: their memory must move, so
    /// that the taken holder's mappings stop reaching theirs.
    public var moves: [FrameNumber] = []
}

/// A condemned holding taken as its frame came back.
public struct CondemnedTaken: Sendable, Equatable {
    public let revocation: RevocationID
    public let released: Released
    /// The frame's memory must move (others still hold it).
    public let move: Bool
}

/// The pending revocations and condemned holdings of one arbiter. Not `Sendable`: the
/// daemon's loop owns it, with the arbiter.
public final class FrameRevoker {
    public private(set) var book = RevocationBook()
    /// Condemned holdings: ended when the data path hands their frame back (and the frame's
    /// memory moved, for a revoked grant).
    private var condemned: [SessionID: [FrameNumber: (id: RevocationID, isGrant: Bool)]] = [:]

    public init() {}

    /// True while some holding waits to be taken as its frame comes back: the one check the
    /// data path makes per frame handed back.
    public var hasCondemned: Bool { !condemned.isEmpty }

    /// Asks `tenant` to give back `frames` of what it holds (never below its guaranteed
    /// floor) by `deadline`, and caps its allocations at the target meanwhile. Nil when there
    /// is nothing to ask (it already holds at most the target); a pending count revocation is
    /// tightened instead of a second one made.
    public func revoke(
        tenant: TenantID, frames count: UInt32, reason: RevocationReason, deadline: UInt64, arbiter: Arbiter
    ) -> Revocation? {
        let held = arbiter.tenants.usage(tenant).framesHeld
        return revoke(tenant: tenant, target: held > count ? held - count : 0, reason: reason, deadline: deadline,
            arbiter: arbiter)
    }

    /// Asks `tenant` to hold at most `target` frames (raised to its guaranteed floor) by
    /// `deadline`. Nil when it already does.
    public func revoke(
        tenant: TenantID, target wanted: UInt32, reason: RevocationReason, deadline: UInt64, arbiter: Arbiter
    ) -> Revocation? {
        guard let spec = arbiter.tenants[tenant] else { return nil }
        let held = arbiter.tenants.usage(tenant).framesHeld
        let target = max(wanted, spec.guaranteedFrames)
        guard held > target else { return nil }
        let revocation = book.requestCount(tenant: tenant, reason: reason, target: target, deadline: deadline)
        arbiter.tenants.setCap(tenant, revocation.target)
        return revocation
    }

    /// The tenant's revocations it has now complied with (after an unref or a session's end);
    /// they leave the book, and with the last one the cap goes.
    public func settle(tenant: TenantID, arbiter: Arbiter) -> [Revocation] {
        let held = arbiter.tenants.usage(tenant).framesHeld
        let met = book.settle(tenant: tenant, held: held) { arbiter.holdingTable[$0] != nil }
        if book.countRevocation(of: tenant) == nil { arbiter.tenants.setCap(tenant, nil) }
        return met
    }

    /// Forgets a tenant that is gone (its last session ended, or a reload removed it); returns
    /// its revocations that were pending (a revoked grant's frame still has to move).
    @discardableResult
    public func forget(tenant: TenantID, arbiter: Arbiter) -> [Revocation] {
        arbiter.tenants.setCap(tenant, nil)
        return book.forget(tenant: tenant)
    }

    /// Revokes a grant: the holding that redeeming token `tokenID` made must end by
    /// `deadline`. `by` is the caller's tenant, which must have issued the token (nil: an
    /// operator, who may revoke any). `.noSuchGrant` unless the token was redeemed and its
    /// holding is live. A grant already being revoked keeps its revocation (returned again).
    public func revokeGrant(tokenID: UInt64, by tenant: TenantID?, deadline: UInt64, arbiter: Arbiter)
        throws(ExoError) -> Revocation
    {
        guard let grant = arbiter.authority.redeemed[tokenID], tenant.map({ $0 == grant.token.issuerTenant }) ?? true,
            let holding = arbiter.holdingTable[grant.holding]
        else { throw .noSuchGrant }
        if let pending = book.grantRevocation(of: holding.id) { return pending }
        return book.requestHoldings(tenant: holding.tenant, holdings: [holding.id], frames: [holding.frame], deadline: deadline)
    }

    /// Whether `frame` is held by anyone (or in flight): its memory is still in use.
    public func isAllocated(_ frame: FrameNumber, arbiter: Arbiter) -> Bool {
        arbiter.frames.contains(frame) && !arbiter.frames.isFree(frame)
    }

    /// Forgets a closed session's condemned holdings (closing ended them all).
    public func sessionClosed(_ session: SessionID) { condemned.removeValue(forKey: session) }

    /// The abort protocol for every revocation due at `now`: takes from each tenant the
    /// frames above its target that it did not give back, chosen by `RepossessionChoice`
    /// among holdings no other tenant shares (a shared frame's memory would have to move
    /// first: not taken, so such a revocation can end unmet). Holdings already condemned
    /// count as coming back.
    public func abortDue(now: UInt64, arbiter: Arbiter) -> [Repossession] {
        book.due(now: now).map { revocation in
            revocation.isGrant ? abortGrant(revocation, arbiter: arbiter) : abortCount(revocation, arbiter: arbiter)
        }
    }

    /// A revoked grant at its deadline: its holdings end (now, or as their frames come back),
    /// and the frames others still hold move.
    private func abortGrant(_ revocation: Revocation, arbiter: Arbiter) -> Repossession {
        var repossession = Repossession(revocation: revocation)
        for id in revocation.holdings {
            guard let holding = arbiter.holdingTable[id] else { continue }
            if arbiter.sessions.inFlight(holding.session, frame: holding.frame) != 0 {
                condemned[holding.session, default: [:]][holding.frame] = (revocation.id, true)
                repossession.condemned.append((holding.session, holding.frame))
                continue
            }
            arbiter.sessions.setHolding(holding.session, frame: holding.frame, holding: nil)
            let freedBefore = repossession.released.freedFrames.count
            arbiter.endHolding(id, into: &repossession.released)
            repossession.taken.append((holding.session, holding.frame))
            if repossession.released.freedFrames.count == freedBefore { repossession.moves.append(holding.frame) }
        }
        repossession.released.sort()
        book.tally.countRepossessed(repossession.taken.count)
        return repossession
    }

    /// A count revocation at its deadline.
    private func abortCount(_ revocation: Revocation, arbiter: Arbiter) -> Repossession {
        var repossession = Repossession(revocation: revocation)
        let held = arbiter.tenants.usage(revocation.tenant).framesHeld
        let coming = UInt32(condemnedCount(of: revocation.tenant, arbiter: arbiter))
        let excess = held > revocation.target &+ coming ? held - revocation.target - coming : 0
        let choice = RepossessionChoice.choose(Int(excess), from: candidates(of: revocation.tenant, arbiter: arbiter))
        for candidate in choice.take {
            guard let session = arbiter.holdingTable[candidate.holding]?.session else { continue }
            arbiter.sessions.setHolding(session, frame: candidate.frame, holding: nil)
            arbiter.endHolding(candidate.holding, into: &repossession.released)
            repossession.taken.append((session, candidate.frame))
        }
        for candidate in choice.condemn {
            guard let session = arbiter.holdingTable[candidate.holding]?.session else { continue }
            condemned[session, default: [:]][candidate.frame] = (revocation.id, false)
            repossession.condemned.append((session, candidate.frame))
        }
        if book.countRevocation(of: revocation.tenant) == nil { arbiter.tenants.setCap(revocation.tenant, nil) }
        repossession.released.sort()
        book.tally.countRepossessed(repossession.taken.count)
        return repossession
    }

    /// The data path handed `frame` back to `session` (its in-flight reference was dropped):
    /// if the holding was condemned and no other reference keeps the frame on a ring, it is
    /// taken now. Returns the revocation it was taken for, what that released, and whether
    /// the frame's memory must move (a revoked grant whose frame others still hold).
    public func handedBack(session: SessionID, frame: FrameNumber, arbiter: Arbiter) -> CondemnedTaken? {
        guard let entry = condemned[session]?[frame], arbiter.sessions.inFlight(session, frame: frame) == 0 else {
            return nil
        }
        condemned[session]?[frame] = nil
        if condemned[session]?.isEmpty == true { condemned[session] = nil }
        var released = Released()
        guard let holding = arbiter.sessions.holding(session, frame: frame) else { return nil }
        arbiter.sessions.setHolding(session, frame: frame, holding: nil)
        arbiter.endHolding(holding, into: &released)
        released.sort()
        book.tally.countRepossessed(1)
        return CondemnedTaken(revocation: entry.id, released: released, move: entry.isGrant && released.freedFrames.isEmpty)
    }

    /// The frames of `session` condemned and not yet back.
    public func condemnedFrames(of session: SessionID) -> [FrameNumber] {
        (condemned[session].map { Array($0.keys) } ?? []).sorted()
    }

    private func condemnedCount(of tenant: TenantID, arbiter: Arbiter) -> Int {
        arbiter.sessions.sessions(of: tenant).reduce(0) { $0 + (condemned[$1.id]?.count ?? 0) }
    }

    /// The tenant's holdings the abort protocol may take: not condemned already, and of
    /// frames no other tenant holds.
    private func candidates(of tenant: TenantID, arbiter: Arbiter) -> [RepossessionCandidate] {
        var result: [RepossessionCandidate] = []
        for (session, record) in arbiter.sessions.sessions(of: tenant) {
            for (frame, holding) in record.holdings where condemned[session]?[frame] == nil {
                let othersHold = arbiter.frames.holders(frame).contains { arbiter.holdingTable[$0]?.tenant != tenant }
                guard !othersHold else { continue }
                result.append(RepossessionCandidate(
                    frame: frame, holding: holding, inFlight: record.inFlight[frame] != nil, shared: false))
            }
        }
        return result
    }
}

/// One thread owns a revoker, with its arbiter.
@available(*, unavailable)
extension FrameRevoker: Sendable {}
