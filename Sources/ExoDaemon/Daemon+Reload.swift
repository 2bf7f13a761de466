// The operator's `reload` request, answered by the daemon's ConfigReloader.

import ExoWire

extension Daemon {
    /// An operator's `reload` request.
    func reload(requestedBy session: ControlSession) -> Response {
        Log.info("session \(session.connectionID): operator uid \(session.credentials.uid) asked for a reload")
        return Response(reply: .reloaded(reloader.reload()))
    }
}
