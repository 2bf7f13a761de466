// Where the control connections meet the planes: what a session's end takes with it, the
// data path's turn between control turns, the dispatcher's requests of the loop, and the
// calls the capture control (Net/CaptureControl.swift) makes.

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
            if !sessions.hasSessions(tenant) { endCaptures(ofTenant: tenant) }
            if let path = dataPlane.close(session: arbiterSession) { reactor.unwatch(path.tenantToDaemon.fd) }
            offersChanged(plane.closeSession(arbiterSession))
        case .operator: dropCaptures(ofConnection: session.connectionID)
        case .awaitingHello: break
        }
    }

    /// Control requests in fair turns, the data path served between two owners' turns, so
    /// a turn of control work delays a packet by at most one turn.
    func serveControlTurns() {
        connections.serveTurns {
            if dataPlane.pollDataPath() || (nicWatched && dataPlane.pollTap()) {
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
        reportFinishedCaptures()
        owed.deliverFaults(flush: connections.flush)
    }

    func send(_ record: OutboundRecord, to session: ControlSession) { connections.send(record, to: session) }

    func isLive(_ id: UInt64) -> Bool { sessions.isLive(id) }

    /// Whether the tenant has an attached session.
    func hasSessions(_ tenant: TenantID) -> Bool { sessions.hasSessions(tenant) }

    /// Counts a refusal at one of `tenant`'s limits.
    func countRefusal(_ resource: TenantResource, tenant: TenantID) {
        accounting.countRefusal(resource, tenant: tenant)
    }
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
        handleCapture(request, from: session)
    }
}
