// Turns attached sessions' requests into arbiter calls and replies: each request is fully
// validated by the arbiter (which changes nothing on refusal) before anything is invoked.

import ExoCore
import ExoPlatform
import ExoWire

/// The answer to one request, plus events the daemon must deliver to other tenants.
struct Response {
    var reply: Reply
    /// Descriptors carried by the reply (SCM_RIGHTS), owned until sent.
    var descriptors: [OwnedDescriptor] = []
    var events: [(audience: TenantID, event: Event)] = []
}

/// The daemon's control plane: the arbiter (pure bookkeeping) plus the frame backing.
final class ControlPlane {
    let config: DaemonConfig
    let arbiter: Arbiter
    let backing: FrameBackingStore
    let startNanoseconds = MonotonicClock.nanoseconds()

    init(config: DaemonConfig, arbiter: Arbiter) {
        self.config = config
        self.arbiter = arbiter
        self.backing = FrameBackingStore(frameCount: config.frameCount, frameSize: config.frameSize)
    }

    /// Handles a request of an attached tenant session.
    func handleTenant(_ request: Request, tenant: TenantID, session: SessionID) -> Response {
        do throws(ExoError) {
            switch request {
            case .allocate(let frames):
                try checkBatch(frames.count)
                return Response(reply: .allocated(try arbiter.allocate(session: session, frames: frames).map(info)))
            case .allocateAny(let count):
                try checkBatch(Int(count))
                return Response(reply: .allocated(try arbiter.allocateAny(session: session, count: count).map(info)))
            case .unref(let frames):
                try checkBatch(frames.count)
                let released = try arbiter.unref(session: session, frames: frames)
                var response = Response(reply: .unreffed(count: UInt32(frames.count)))
                response.events = apply(released)
                return response
            case .map(let frames):
                try checkBatch(frames.count)
                return try map(frames, session: session)
            case .grant(let frame, let rights, let audienceName):
                guard let audience = arbiter.tenant(named: audienceName) else {
                    throw ExoError.unknownTenant
                }
                let issued = try arbiter.grant(session: session, frame: frame, rights: rights, audience: audience.id)
                let issuer = arbiter.tenant(tenant)?.name ?? ""
                var response = Response(reply: .granted(token: issued.bytes, tokenID: issued.info.tokenID))
                response.events = [(audience.id, .offer(token: issued.bytes, tokenID: issued.info.tokenID,
                    frame: frame, rights: issued.info.rights, fromTenant: issuer))]
                return response
            case .redeem(let token):
                return Response(reply: .redeemed(info(try arbiter.redeem(session: session, token: token))))
            case .ping:
                return Response(reply: .pong)
            case .openDataPath, .bind, .unbind, .installFilter, .removeFilter:
                // Answered by the data plane before the control plane sees the request.
                throw ExoError.internalError
            case .status, .tenants, .frames, .capabilities, .bindings, .stats, .nic, .filters, .capture, .impair:
                throw ExoError.notOperator
            case .hello:
                throw ExoError.alreadyAttached
            }
        } catch {
            return Response(reply: .error(error, detail: error.description))
        }
    }

    /// Ends a session's holdings and tokens; returns the events for other tenants.
    func closeSession(_ session: SessionID) -> [(audience: TenantID, event: Event)] {
        apply(arbiter.closeSession(session))
    }

    /// Frees the backing of frames that became free and tells audiences their offers died.
    func apply(_ released: Released) -> [(audience: TenantID, event: Event)] {
        for frame in released.freedFrames { backing.release(frame: frame) }
        return released.revokedTokens.map { ($0.audience, Event.tokenRevoked(tokenID: $0.tokenID)) }
    }

    private func map(_ frames: [FrameNumber], session: SessionID) throws(ExoError) -> Response {
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
