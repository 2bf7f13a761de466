// The operator's `kick`: ends tenant sessions as a reload ends those it no longer allows: the
// peer gets `error notPermitted` (request id 0) saying an operator ended it, then the session
// closes and everything it held is released as at a disconnect.

import ExoCore
import ExoWire

extension ControlDispatcher {
    /// Ends every session of the tenant named, or the tenant session with connection id
    /// `target` (0: none; exactly one of the two). `.unknownTenant`; `.noSuchSession` for an
    /// id no tenant session has (an operator's included: operators are not kicked) and for a
    /// request naming both or neither.
    func kick(tenant name: String?, session target: UInt64, by requester: ControlSession) throws(ExoError) -> Response {
        let ending: [ControlSession]
        switch (name, target) {
        case (let name?, 0):
            guard let tenant = plane.arbiter.tenant(named: name)?.id else { throw .unknownTenant }
            ending = sessions.sessions(of: tenant)
        case (nil, let id) where id != 0:
            guard let session = sessions[id], case .tenant = session.role else { throw .noSuchSession }
            ending = [session]
        default:
            throw .noSuchSession
        }
        let reason = "ended by an operator (exoctl kick, uid \(requester.credentials.uid))"
        for session in ending.sorted(by: { $0.connectionID < $1.connectionID }) {
            Log.info("session \(session.connectionID): \(reason)")
            connections?.refuse(session, requestID: 0, .notPermitted, detail: reason)
            connections?.close(session.connectionID, reason: reason)
        }
        return Response(reply: .kicked(sessions: UInt32(ending.count)))
    }
}
