// Where the control connections meet the planes: what a session's end takes with it, the
// data path's turn between control turns, the dispatcher's requests of the loop (a new data
// path to watch, a capture to start with the sessions the loop owns).

import ExoCore
import ExoPlatform
import ExoWire

extension Daemon {
    /// An ended session's holdings and tokens end at once (frames nobody else holds become
    /// free), and the audiences of its dead offers are told; a tenant's last session ends its
    /// captures, an operator's its own.
    func sessionEnded(_ session: ControlSession) {
        switch session.role {
        case .tenant(let tenant, let arbiterSession):
            if !sessions.hasSessions(tenant) { dataPlane.captureControl.end(ofTenant: tenant, to: connections) }
            if let path = dataPlane.requests.close(session: arbiterSession) { reactor.unwatch(path.tenantToDaemon.fd) }
            offersChanged(plane.closeSession(arbiterSession, tenant: tenant))
        case .operator: dataPlane.captureControl.drop(ofConnection: session.connectionID)
        case .awaitingHello: break
        }
    }

    /// Control requests in fair turns, the data path served between two owners' turns, so
    /// a turn of control work delays a packet by at most one turn.
    func serveControlTurns() {
        connections.serveTurns {
            if dataPlane.pollDataPath() || (nicWatch.watched && dataPlane.pollTap()) {
                deliverFaults()
                dataPathWoke = true
            }
        }
    }

    /// The offers addressed to these tenants changed: their sessions are owed a notice.
    func offersChanged(_ audiences: [TenantID]) {
        owed.offersChanged(audiences, flush: connections.flush)
    }

    /// Ends finished captures and sends the fault reports the packet path left waiting.
    /// Runs after every wake-up.
    func deliverFaults() {
        dataPlane.captureControl.reportFinished(to: connections)
        owed.deliverFaults(flush: connections.flush)
    }

    /// Ends every capture before the daemon stops.
    func endAllCaptures() { dataPlane.captureControl.endAll(to: connections) }
}

extension Daemon: ControlDispatcherHost {
    /// Watches a new data path's tenant-to-daemon eventfd (the tenant's tx kick).
    func dataPathOpened(_ path: SessionRings) {
        do {
            try reactor.watch(path.tenantToDaemon.fd, as: .dataPath(path.connectionID), for: .readable)
        } catch {
            Log.warning("cannot watch the data path of session \(path.session): \(error)")
        }
    }

    func startCapture(_ request: Request, for session: ControlSession) -> Response? {
        dataPlane.captureControl.start(request, for: session, sessions: sessions)
    }
}
