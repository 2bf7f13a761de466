// The invoke step: a request whose caller the table allowed, handed to the part that serves
// it. Each switch lists the kinds of one permission; `default` there is a kind the table gives
// another permission, so it is never reached (ControlDispatcherTests dispatch every kind by
// its allowed role and check that none comes back "no handler").

import ExoCore
import ExoWire

extension ControlDispatcher {
    /// A request of a tenant session: the descriptor limit first (it changes nothing), then
    /// the request; a refusal at a limit is counted for `exoctl tenants`.
    func invoke(_ request: Request, by caller: TenantCaller) -> Response {
        let response: Response
        do throws(ExoError) {
            if let refusal = accounting.descriptorRefusal(request, tenant: caller.tenant) {
                response = refusal
            } else {
                response = try invokeTenantRequest(request, by: caller)
            }
        } catch {
            response = .refused(error)
        }
        if case .error(let error, _) = response.reply {
            accounting.countRefusal(error, of: request, by: caller.tenant)
        }
        // Asking for the offers (or taking one) reads the state a notice announced.
        switch request {
        case .offers, .redeem: caller.connection.offerNotice.acknowledge()
        default: break
        }
        return response
    }

    private func invokeTenantRequest(_ request: Request, by caller: TenantCaller) throws(ExoError) -> Response {
        let session = caller.session
        switch request {
        case .allocate(let frames): return try plane.allocate(frames, session: session)
        case .allocateAny(let count): return try plane.allocateAny(count: count, session: session)
        case .unref(let frames):
            let response = try plane.unref(frames, session: session)
            revocations.settle(caller.tenant)
            return response
        case .revocationDone(let id): return revocations.done(id, by: caller)
        case .revokeGrant(let tokenID, let deadlineMillis):
            return try revocations.revokeGrant(tokenID: tokenID, deadlineMillis: deadlineMillis, by: caller.tenant)
        case .map(let frames): return try plane.map(frames, session: session)
        case .grant(let frame, let rights, let audience):
            return try plane.grant(frame, rights: rights, audience: audience, session: session)
        case .redeem(let token): return try plane.redeem(token, session: session)
        case .offers(let page): return plane.offers(to: caller.tenant, page: page)
        case .ping: return Response(reply: .pong)
        case .openDataPath(let capacity):
            let connectionID = caller.connection.connectionID
            let (response, path) = try dataPlane.requests.open(
                session: session, tenant: caller.tenant, connectionID: connectionID, capacity: capacity)
            host?.dataPathOpened(path)
            Log.info("session \(connectionID): data path open, \(capacity) slots per ring")
            return response
        case .bind(let endpoint): return try dataPlane.requests.bind(endpoint, session: session, tenant: caller.tenant)
        case .unbind(let endpoint): return try dataPlane.requests.unbind(endpoint, session: session)
        case .installFilter(let endpoint, let atoms):
            return try dataPlane.requests.installFilter(endpoint, atoms: atoms, session: session)
        case .removeFilter(let id): return try dataPlane.requests.removeFilter(id, session: session)
        default: return Self.noHandler(request)
        }
    }

    /// A request of an operator session. Queries change nothing; `capture` and `impair` change
    /// what the data path does, never what a tenant holds; `reload` changes the configuration
    /// (Daemon+Reload.swift).
    func invoke(_ request: Request, byOperator session: ControlSession) -> Response {
        do throws(ExoError) {
            switch request {
            case .ping: return Response(reply: .pong)
            case .status: return Response(reply: .status(plane.status(sessions: sessions.count)))
            case .tenants(let page): return Response(reply: .tenants(accounting.tenantsListing(page)))
            case .frames(let tenant, let page): return Response(reply: .frames(try plane.frames(tenant: tenant, page: page)))
            case .capabilities(let tenant, let page):
                return Response(reply: .capabilities(try plane.capabilities(tenant: tenant, page: page)))
            case .bindings, .filters, .stats, .nic:
                return dataPlane.requests.handleOperator(request) ?? Self.noHandler(request)
            case .impair(let tenant, let direction, let profile, let seed):
                return dataPlane.impairment.impair(tenant: tenant, direction: direction, profile: profile, seed: seed)
            case .capture: return host?.startCapture(request, for: session) ?? Self.noHandler(request)
            case .reload: return host?.reload(requestedBy: session) ?? Self.noHandler(request)
            case .revokeGrant(let tokenID, let deadlineMillis):
                return try revocations.revokeGrant(tokenID: tokenID, deadlineMillis: deadlineMillis, by: nil)
            case .revoke(let tenant, let frames, let deadlineMillis):
                return try revocations.revoke(tenant: tenant, frames: frames, deadlineMillis: deadlineMillis)
            default: return Self.noHandler(request)
            }
        } catch {
            return .refused(error)
        }
    }

    /// The answer to a kind the table routed to a switch without its case: a daemon bug,
    /// reported to the peer as `internalError` rather than a crash.
    static func noHandler(_ request: Request) -> Response {
        Log.error("no handler for \(request.kind) (the permission table and the invoke switch disagree)")
        return Response(reply: .error(.internalError, detail: noHandlerDetail))
    }

    static let noHandlerDetail = "no handler for this request"
}
