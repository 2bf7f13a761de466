// Records no session asked for: `grantsChanged` after a reload, `offersChanged` notices
// (caused by other tenants) and data-path fault reports (caused by the session itself). Both are coalesced and queued only
// into an empty outbound queue, so neither can ever overflow a queue and disconnect a session.

import ExoCore
import ExoPlatform
import ExoWire

/// What each session is owed beyond its replies. Owned by the loop (one thread); `flush`
/// is the loop's, which writes a session's queue (and may end the session).
final class OwedRecords {
    let plane: ControlPlane
    let dataPlane: DataPlane
    let sessions: SessionRegistry

    init(plane: ControlPlane, dataPlane: DataPlane, sessions: SessionRegistry) {
        self.plane = plane
        self.dataPlane = dataPlane
        self.sessions = sessions
    }

    /// The offers addressed to these tenants changed: each of their sessions is owed a notice,
    /// sent now if its queue is empty, else when it drains. A session that has an unread
    /// notice gets no second one until it lists its offers or redeems.
    func offersChanged(_ audiences: [TenantID], flush: (ControlSession) -> Void) {
        for audience in audiences {
            for session in sessions.sessions(of: audience) {
                session.offerNotice.changed()
                if session.queueEmpty, queue(into: session) { flush(session) }
            }
        }
    }

    /// A reload changed these sessions' grants (`ended`: their bindings it removed, by
    /// connection): each is owed a `grantsChanged`, sent now if its queue is empty, else when
    /// it drains.
    func grantsChanged(_ sessions: [ControlSession], ended: [UInt64: [WireEndpoint]], flush: (ControlSession) -> Void) {
        for session in sessions {
            session.grantsNotice.changed(ended: ended[session.connectionID] ?? [])
            if session.queueEmpty, queue(into: session) { flush(session) }
        }
    }

    /// Queues one record `session` is owed, if its queue is empty: a grants change first,
    /// then the offers notice,
    /// else a waiting fault report (as the rate allows). One at a time: the other waits for
    /// the queue to drain again. Returns whether a record was queued.
    func queue(into session: ControlSession) -> Bool {
        guard session.queueEmpty, case .tenant(let tenant, let arbiterSession) = session.role else { return false }
        if let revocationEvent = session.revocationEvents.take() {
            return session.enqueue(event(revocationEvent, for: session))
        }
        if let ended = session.grantsNotice.take() {
            let change = GrantsChange(ended: ended, addresses: dataPlane.requests.grantedAddresses(tenant),
                portShares: dataPlane.requests.grantedShares(tenant))
            return session.enqueue(event(.grantsChanged(change), for: session))
        }
        if session.offerNotice.takeNotice(hasRoom: true) {
            let count = UInt32(clamping: plane.arbiter.offerCount(to: tenant))
            return session.enqueue(event(.offersChanged(outstanding: count), for: session))
        }
        guard let path = dataPlane.state.paths[arbiterSession],
            let report = path.faults.takeReport(now: MonotonicClock.nanoseconds(), queueEmpty: true)
        else { return false }
        dataPlane.state.counters[Int(tenant)].faultReportsCoalesced &+= UInt64(report.coalesced)
        let fault = Event.dataPathFault(reason: report.reason, frame: report.frame, coalesced: report.coalesced)
        return session.enqueue(event(fault, for: session))
    }

    /// Sends the fault reports the packet path left waiting, where the rate and an empty queue
    /// allow; paths with nothing left waiting leave the list. Runs after every wake-up.
    func deliverFaults(flush: (ControlSession) -> Void) {
        if plane.revocationEventsWaiting { deliverRevocationEvents(flush: flush) }
        var index = 0
        while index < dataPlane.state.pathsWithWaitingFaults.count {
            let path = dataPlane.state.pathsWithWaitingFaults[index]
            if dataPlane.state.paths[path.session] === path, let session = sessions[path.connectionID] {
                if session.queueEmpty, queue(into: session) { flush(session) }
                if path.faults.hasWaiting, dataPlane.state.paths[path.session] === path {
                    index += 1
                    continue
                }
            }
            path.listedForFaults = false
            dataPlane.state.pathsWithWaitingFaults.swapAt(index, dataPlane.state.pathsWithWaitingFaults.count - 1)
            dataPlane.state.pathsWithWaitingFaults.removeLast()
        }
    }

    /// Sends the revocation events queued since the last wake-up (a revocation asked or
    /// settled by a request, a deadline, a condemned frame the data path handed back), each
    /// session's first at once if its queue is empty; the rest follow as its queue drains.
    private func deliverRevocationEvents(flush: (ControlSession) -> Void) {
        plane.revocationEventsWaiting = false
        for (taken, revocation, frame) in plane.cameBack {
            let owner = sessions.all.first { if case .tenant(_, taken) = $0.role { true } else { false } }
            owner?.revocationEvents.repossessed(id: revocation, frames: [frame], condemned: 0)
        }
        plane.cameBack.removeAll()
        for frame in plane.moved {
            let state = plane.arbiter.frameStates(tenant: nil, from: frame, limit: 1).entries.first { $0.frame == frame }
            for holder in state?.holders ?? [] {
                let owner = sessions.all.first { if case .tenant(_, holder.session) = $0.role { true } else { false } }
                owner?.revocationEvents.moved(frame)
            }
        }
        plane.moved.removeAll()
        // Every session: a repossession may also have ended offers other tenants were owed.
        for session in sessions.all where session.queueEmpty {
            if queue(into: session) { flush(session) }
        }
    }

    /// The earliest time a waiting fault report may go (for the loop's timeout), if any waits
    /// behind the rate rather than behind a full queue (a drain wakes the loop for those).
    func nextFaultReportTime() -> UInt64? {
        guard !dataPlane.state.pathsWithWaitingFaults.isEmpty else { return nil }
        let now = MonotonicClock.nanoseconds()
        var earliest: UInt64?
        for path in dataPlane.state.pathsWithWaitingFaults {
            guard let session = sessions[path.connectionID], session.queueEmpty,
                let time = path.faults.nextReportTime(now: now)
            else { continue }
            earliest = min(earliest ?? .max, time)
        }
        return earliest
    }

    private func event(_ event: Event, for session: ControlSession) -> OutboundRecord {
        OutboundRecord(bytes: Records.encode(.event(event), version: session.version), descriptors: [])
    }
}
