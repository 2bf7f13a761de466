// Where revocations meet the daemon: the operator's `revoke`, a reload's shrunk quota and a
// tenant's `revocationDone` come in here; the revoker (ExoCore) decides; the desk sends the
// events, wipes what the abort protocol took, takes condemned fill frames off the rings, and
// keeps the deadline timer armed. Deadlines run on the data plane's clock (virtual in tests).

import ExoCore
import ExoWire

/// The daemon's revocation desk. Owned by the loop (one thread).
final class RevocationDesk {
    let plane: ControlPlane
    let dataPlane: DataPlane
    let sessions: SessionRegistry
    /// Wakes the loop at the earliest pending deadline.
    let timer: DeadlineTimer

    init(plane: ControlPlane, dataPlane: DataPlane, sessions: SessionRegistry) {
        self.plane = plane
        self.dataPlane = dataPlane
        self.sessions = sessions
        timer = dataPlane.revocationTimer
    }

    private var now: UInt64 { dataPlane.state.clock.nanoseconds }
    private var revoker: FrameRevoker { plane.revoker }

    /// An operator's `revoke`: asks the tenant named to give back `frames` frames within
    /// `deadlineMillis` ms. `.unknownTenant`; `.invalidArgument` for no frames or a deadline
    /// outside 1...`RevocationLimits.maxDeadlineMillis`.
    func revoke(tenant name: String, frames: UInt32, deadlineMillis: UInt32) throws(ExoError) -> Response {
        guard let tenant = plane.arbiter.tenant(named: name)?.id else { throw .unknownTenant }
        guard frames >= 1, (1...RevocationLimits.maxDeadlineMillis).contains(deadlineMillis) else {
            throw .badRevocation
        }
        let held = plane.arbiter.usage(of: tenant).framesHeld
        let deadline = now + UInt64(deadlineMillis) * 1_000_000
        guard let revocation = revoker.revoke(
            tenant: tenant, frames: frames, reason: .operatorRequest, deadline: deadline, arbiter: plane.arbiter)
        else {
            return Response(reply: .revocationStarted(RevocationStarted(id: 0, target: held, held: held)))
        }
        Log.info("tenant \(name): revocation \(revocation.id) asks for \(held - revocation.target) of \(held) frames within \(deadlineMillis) ms", ["tenant": "\(name)"])
        announce(revocation, held: held)
        return Response(reply: .revocationStarted(RevocationStarted(id: revocation.id, target: revocation.target, held: held)))
    }

    /// A reload lowered a tenant's quota below what it holds: it is asked for the difference.
    func quotaReduced(_ tenant: TenantID, to quota: UInt32) {
        let held = plane.arbiter.usage(of: tenant).framesHeld
        let deadline = now + UInt64(RevocationLimits.defaultDeadlineMillis) * 1_000_000
        guard let revocation = revoker.revoke(
            tenant: tenant, target: quota, reason: .quotaReduced, deadline: deadline, arbiter: plane.arbiter)
        else { return }
        announce(revocation, held: held)
    }

    /// `revokeGrant`: the holding made by redeeming token `tokenID` must end within
    /// `deadlineMillis` ms. `tenant` is the caller's (nil for an operator, who may revoke any
    /// grant); `.noSuchGrant`, `.badRevocation` for a deadline out of range.
    func revokeGrant(tokenID: UInt64, deadlineMillis: UInt32, by tenant: TenantID?) throws(ExoError) -> Response {
        guard (1...RevocationLimits.maxDeadlineMillis).contains(deadlineMillis) else { throw .badRevocation }
        let deadline = now + UInt64(deadlineMillis) * 1_000_000
        let revocation = try revoker.revokeGrant(tokenID: tokenID, by: tenant, deadline: deadline, arbiter: plane.arbiter)
        Log.info("grant \(tokenID) revoked: revocation \(revocation.id), frames \(revocation.frames), within \(deadlineMillis) ms")
        announce(revocation, held: plane.arbiter.usage(of: revocation.tenant).framesHeld)
        return Response(reply: .grantRevocationStarted(id: revocation.id))
    }

    /// A tenant's `revocationDone`: what it holds now, and whether that meets the revocation
    /// (also true when the revocation is no longer pending: met, or past its deadline).
    func done(_ id: UInt64, by caller: TenantCaller) -> Response {
        settle(caller.tenant)
        let held = plane.arbiter.usage(of: caller.tenant).framesHeld
        let pending = revoker.book[id].map { $0.tenant == caller.tenant } ?? false
        return Response(reply: .revocationSettled(RevocationSettlement(held: held, met: !pending)))
    }

    /// The tenant's holdings shrank (an unref, a session's end): revocations it now meets end.
    func settle(_ tenant: TenantID) {
        for revocation in plane.settleRevocations(of: tenant) {
            Log.info("revocation \(revocation.id) met: tenant holds at most \(revocation.target) frames")
        }
    }

    /// The deadline timer fired (or a test advanced the virtual clock): the abort protocol
    /// takes what each due revocation was not given, and the timer is armed for the next.
    func deadlinePassed() {
        timer.fired()
        for repossession in revoker.abortDue(now: now, arbiter: plane.arbiter) { carryOut(repossession) }
        timer.arm(for: revoker.book.nextDeadline, now: now)
    }

    /// Wipes the frames taken, tells each session what it lost, takes condemned frames that
    /// still wait in a fill stash at once, and tells the audiences of tokens that died.
    private func carryOut(_ repossession: Repossession) {
        let id = repossession.revocation.id
        for frame in repossession.released.freedFrames { plane.backing.wipe(frame: frame) }
        for frame in repossession.moves { plane.moveMemory(of: frame) }
        var taken: [SessionID: [FrameNumber]] = [:]
        var condemned: [SessionID: UInt32] = [:]
        for (session, frame) in repossession.taken { taken[session, default: []].append(frame) }
        for (session, frame) in repossession.condemned {
            if let path = dataPlane.state.paths[session], path.withdrawFromStash(frame) {
                plane.handBack(session: session, frame: frame)
            } else {
                condemned[session, default: 0] += 1
            }
        }
        for session in sessions.sessions(of: repossession.revocation.tenant) {
            guard case .tenant(_, let arbiterSession) = session.role else { continue }
            let frames = taken[arbiterSession] ?? []
            let count = condemned[arbiterSession] ?? 0
            guard !frames.isEmpty || count > 0 else { continue }
            session.revocationEvents.repossessed(id: id, frames: frames, condemned: count)
        }
        plane.revocationEventsWaiting = true
        guard !repossession.taken.isEmpty || !repossession.condemned.isEmpty else { return }
        Log.warning("revocation \(id) unmet at its deadline: took \(repossession.taken.count) frames, \(repossession.condemned.count) more as they come back")
        // Offers made from the holdings taken died with them: their audiences are owed a notice.
        for audience in plane.apply(Released(revokedTokens: repossession.released.revokedTokens)) {
            for session in sessions.sessions(of: audience) { session.offerNotice.changed() }
        }
    }

    /// Sends the revocation to every session of its tenant and arms the timer.
    private func announce(_ revocation: Revocation, held: UInt32) {
        let remaining = revocation.deadline > now ? (revocation.deadline - now) / 1_000_000 : 0
        let notice = RevocationNotice(
            id: revocation.id, reason: revocation.reason.rawValue, target: revocation.target, held: held,
            deadlineMillis: UInt32(clamping: remaining), frames: revocation.frames)
        for session in sessions.sessions(of: revocation.tenant) { session.revocationEvents.requested(notice) }
        plane.revocationEventsWaiting = true
        timer.arm(for: revoker.book.nextDeadline, now: now)
    }
}
