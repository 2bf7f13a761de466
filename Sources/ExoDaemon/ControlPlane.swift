// Turns attached sessions' requests into arbiter calls and replies: each request is fully
// validated by the arbiter (which changes nothing on refusal) before anything is invoked.

import Crypto
import ExoCore
import ExoPlatform
import ExoWire

/// The answer to one request, plus the tenants whose offers it changed (they are told with
/// a coalesced `offersChanged` notice, never with one event per offer).
struct Response {
    var reply: Reply
    /// Descriptors carried by the reply (SCM_RIGHTS), owned until sent.
    var descriptors: [OwnedDescriptor] = []
    var offersChanged: [TenantID] = []
    /// The session ends once this reply is out (a refused hello, a broken version).
    var closesSession = false
}

/// The daemon's control plane: the arbiter (pure bookkeeping) plus the frame backing.
final class ControlPlane {
    /// The configuration in force (a reload replaces it).
    var config: DaemonConfig
    /// The configured tenants by id (a reload replaces it; ids of kept tenants never change).
    var roster: TenantRoster
    let arbiter: Arbiter
    let backing: FrameBackingStore
    /// Pending revocations and the holdings condemned to be taken as their frames come back.
    let revoker = FrameRevoker()
    /// Condemned frames the data path handed back and the revoker took, for their sessions'
    /// `repossessed` events (RevocationDesk sends them after the wake-up).
    var cameBack: [(session: SessionID, revocation: RevocationID, frame: FrameNumber)] = []
    /// Frames whose memory moved, for their holders' `framesMoved` events.
    var moved: [FrameNumber] = []
    /// Some session has revocation events queued that the loop has not tried to send yet.
    var revocationEventsWaiting = false
    let startNanoseconds = MonotonicClock.nanoseconds()

    /// A plane with the configured tenants and a fresh pool.
    convenience init(config: DaemonConfig) {
        let tenants = config.tenants.enumerated().map { index, t in
            TenantSpec(config: t, id: TenantID(index), limits: config.limits)
        }
        // A key and run id of this run only: tokens of a previous run never verify.
        let arbiter = Arbiter(frameCount: config.frameCount, tenants: tenants,
            tokenKey: SymmetricKey(size: .bits256), runID: UInt64.random(in: 1...UInt64.max))
        self.init(config: config, arbiter: arbiter)
    }

    init(config: DaemonConfig, arbiter: Arbiter) {
        self.config = config
        self.roster = TenantRoster(starting: config.tenants)
        self.arbiter = arbiter
        self.backing = FrameBackingStore(frameCount: config.frameCount, frameSize: config.frameSize)
    }

    // The frame requests of a tenant session (ControlDispatcher routes them here, after the
    // role check). Each throws the arbiter's refusal, which changes nothing.

    func allocate(_ frames: [FrameNumber], session: SessionID) throws(ExoError) -> Response {
        try checkBatch(frames.count)
        return Response(reply: .allocated(try arbiter.allocate(session: session, frames: frames).map(info)))
    }

    func allocateAny(count: UInt32, session: SessionID) throws(ExoError) -> Response {
        try checkBatch(Int(count))
        return Response(reply: .allocated(try arbiter.allocateAny(session: session, count: count).map(info)))
    }

    func unref(_ frames: [FrameNumber], session: SessionID) throws(ExoError) -> Response {
        try checkBatch(frames.count)
        let released = try arbiter.unref(session: session, frames: frames)
        var response = Response(reply: .unreffed(count: UInt32(frames.count)))
        response.offersChanged = apply(released)
        return response
    }

    func grant(_ frame: FrameNumber, rights: Rights, audience audienceName: String, session: SessionID)
        throws(ExoError) -> Response
    {
        guard let audience = arbiter.tenant(named: audienceName) else { throw ExoError.unknownTenant }
        let issued = try arbiter.grant(session: session, frame: frame, rights: rights, audience: audience.id)
        var response = Response(reply: .granted(token: issued.bytes, tokenID: issued.info.tokenID))
        response.offersChanged = [audience.id]
        return response
    }

    func redeem(_ token: [UInt8], session: SessionID) throws(ExoError) -> Response {
        Response(reply: .redeemed(info(try arbiter.redeem(session: session, token: token))))
    }

    func offers(to tenant: TenantID, page: Page) -> Response {
        Response(reply: .offers(offersPage(to: tenant, page: page)))
    }

    /// Ends a session's holdings and tokens; returns the tenants whose offers changed. Its
    /// condemned holdings go with it; a tenant left with no session has nothing to revoke.
    func closeSession(_ session: SessionID, tenant: TenantID) -> [TenantID] {
        let audiences = apply(arbiter.closeSession(session))
        revoker.sessionClosed(session)
        if arbiter.usage(of: tenant).sessions == 0 {
            for revocation in revoker.forget(tenant: tenant, arbiter: arbiter) where revocation.isGrant {
                moveFrames(of: revocation)
            }
        } else {
            _ = settleRevocations(of: tenant)
        }
        return audiences
    }

    /// Frees the backing of frames that became free; returns the audiences whose offers died
    /// (each once).
    func apply(_ released: Released) -> [TenantID] {
        for frame in released.freedFrames { backing.release(frame: frame) }
        guard !released.revokedTokens.isEmpty else { return [] }
        return Array(Set(released.revokedTokens.map(\.audience))).sorted()
    }

    /// The data path hands `frame` back to `session` (off a ring): drops its in-flight
    /// reference, frees what nothing else keeps and, while the abort protocol has condemned
    /// holdings, takes this one if it is among them. One branch when none is condemned.
    @inline(__always)
    func handBack(session: SessionID, frame: FrameNumber) {
        let released = arbiter.inFlight.remove(session: session, frame: frame)
        if !released.freedFrames.isEmpty { _ = apply(released) }
        if revoker.hasCondemned, let taken = revoker.handedBack(session: session, frame: frame, arbiter: arbiter) {
            for freed in taken.released.freedFrames { backing.wipe(frame: freed) }
            if taken.move { moveMemory(of: frame) }
            cameBack.append((session, taken.revocation, frame))
            revocationEventsWaiting = true
        }
    }

    /// A revoked grant's holding ended while others still hold its frame: the frame's memory
    /// moves (the revoked holder's mappings keep only the old), and the remaining holders are
    /// owed `framesMoved`.
    func moveMemory(of frame: FrameNumber) {
        do {
            try backing.move(frame: frame)
        } catch {
            Log.error("cannot move the memory of frame \(frame) away from a revoked holder: \(error)")
        }
        moved.append(frame)
        revocationEventsWaiting = true
    }

    /// The tenant's revocations it now meets end; a revoked grant's frame, if others still
    /// hold it, moves.
    func settleRevocations(of tenant: TenantID) -> [Revocation] {
        let met = revoker.settle(tenant: tenant, arbiter: arbiter)
        for revocation in met where revocation.isGrant { moveFrames(of: revocation) }
        return met
    }

    /// Moves the frames of an ended grant revocation that are still allocated.
    func moveFrames(of revocation: Revocation) {
        for frame in revocation.frames where revoker.isAllocated(frame, arbiter: arbiter) {
            moveMemory(of: frame)
        }
    }

    /// Most offers per page: an offer is up to about 540 bytes (token, name), so 100 fit a
    /// record with room to spare.
    static let offersPerPage = 100

    /// A page of the offers addressed to `tenant`, by token id (the cursor).
    private func offersPage(to tenant: TenantID, page: Page) -> ListingPage<OfferInfo> {
        let limit = min(Int(page.limit), Self.offersPerPage)
        let (tokens, next) = arbiter.offers(to: tenant, from: UInt64(page.cursor), limit: limit)
        let entries = tokens.map { t in
            OfferInfo(token: t.bytes, tokenID: t.info.tokenID, frame: t.info.frame, rights: t.info.rights,
                fromTenant: arbiter.tenant(t.info.issuerTenant)?.name ?? "?")
        }
        // Token ids are per-run counters; a cursor past UInt32 ends the listing (as capabilities).
        return ListingPage(entries: entries, nextCursor: next.flatMap { UInt32(exactly: $0) })
    }

    func map(_ frames: [FrameNumber], session: SessionID) throws(ExoError) -> Response {
        try checkBatch(frames.count)
        let holdings = try arbiter.authorizeMap(session: session, frames: frames)
        var descriptors: [OwnedDescriptor] = []
        descriptors.reserveCapacity(holdings.count)
        for holding in holdings {
            do {
                descriptors.append(try backing.descriptorToSend(frame: holding.frame, rights: holding.rights))
            } catch {
                // Out of descriptors or memory: nothing was promised yet; the ones made close here.
                Log.warning("map of frame \(holding.frame) failed: \(error)")
                throw ExoError.internalError
            }
        }
        return Response(reply: .mapped(holdings.map(info)), descriptors: descriptors)
    }

    private func checkBatch(_ count: Int) throws(ExoError) {
        guard count >= 1 && count <= WireLimits.maxBatch else { throw ExoError.batchTooLarge }
    }

    private func info(_ h: Holding) -> HoldingInfo {
        HoldingInfo(frame: h.frame, holding: h.id, epoch: h.epoch, rights: h.rights)
    }
}
