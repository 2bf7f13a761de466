// The control socket's connections as the loop serves them: accepted within the admission
// limits, read one record at a time in fair turns (ControlConnections+Turns.swift), answered
// through the dispatcher, written to as each peer reads, and closed. What a session's end
// means for the planes (its holdings, data path, captures) is the daemon's: `onClose`.

import ExoCore
import ExoPlatform
import ExoWire

/// Every control connection's I/O. Owned by the loop (one thread).
final class ControlConnections {
    /// A control session's registration: edge-triggered, since its requests are read in
    /// turns (not all at once) and one still holding some must not wake every wait.
    static let sessionEvents: Epoll.Events = [.readable, .edgeTriggered]

    /// The configuration in force (a reload replaces it; connections made before keep their
    /// queue limit).
    var config: DaemonConfig
    let reactor: Reactor
    let sessions: SessionRegistry
    let listener: ControlListener
    let dispatcher: ControlDispatcher
    let owed: OwedRecords
    let reader = ControlRecordReader()
    /// Sessions with requests waiting, by owner, and whose turn it is.
    var turns = ControlTurns()
    /// Records served, by kind and outcome, and their service times (the metrics').
    var requestTally = ControlRequestTally()
    /// Called once per ended session, after it left the registry and the reactor.
    var onClose: (ControlSession) -> Void = { _ in }

    init(config: DaemonConfig, reactor: Reactor, sessions: SessionRegistry, listener: ControlListener,
         dispatcher: ControlDispatcher, owed: OwedRecords) {
        self.config = config
        self.reactor = reactor
        self.sessions = sessions
        self.listener = listener
        self.dispatcher = dispatcher
        self.owed = owed
        dispatcher.connections = self
    }

    /// Admits every pending connection within the limits; one over them is told why
    /// (best effort, without waiting for it to read) and closed.
    func acceptPending() {
        for (socket, credentials) in listener.acceptPending() {
            if let refusal = sessions.admissionRefusal(uid: credentials.uid) {
                let bytes = Records.encode(.reply(id: 0, .error(.tooManyConnections, detail: refusal)))
                _ = try? UnixSeqpacket.send(socket.raw, bytes, descriptors: [])
                socket.close()
                continue
            }
            let id = sessions.takeConnectionID()
            let deadline = MonotonicClock.nanoseconds() + UInt64(config.handshakeTimeoutMilliseconds) * 1_000_000
            let session = ControlSession(connectionID: id, socket: socket, credentials: credentials,
                handshakeDeadline: deadline, outboundLimit: config.outboundQueueLimit)
            do {
                try reactor.watch(socket.raw, as: .session(id), for: Self.sessionEvents)
            } catch {
                socket.close()
                continue
            }
            sessions.add(session)
        }
    }

    /// A session's socket is ready: write what waits, and queue its requests for its owner's
    /// turn (edge-triggered: however many there are).
    func ready(_ id: UInt64, events: Epoll.Events) {
        guard let session = sessions[id] else { return }
        if events.contains(.writable) { flush(session) }
        if events.contains(.readable) || events.contains(.hangup) || events.contains(.error) {
            turns.markWaiting(session.connectionID, owner: Self.owner(of: session))
        }
    }

    /// Reads and answers one record of `session`. `more` is false when nothing more waits: its
    /// socket would block, it ended, or it closes once its refusal is out; `served` says what
    /// the record was, when there was one (the caller times it into `requestTally`).
    func serveOneRecord(_ session: ControlSession) -> (more: Bool, served: ControlRequestTally.Served?) {
        let id = session.connectionID
        guard sessions.isLive(id), !session.closeAfterFlush else { return (false, nil) }
        let served: ControlRequestTally.Served
        switch reader.read(session.socket.raw) {
        case .nothing:
            return (false, nil)
        case .ended(let reason):
            close(id, reason: reason)
            return (false, nil)
        case .refuse(let error, let requestID, let detail):
            refuse(session, requestID: requestID, error, detail: detail)
            served = ControlRequestTally.malformed
        case .request(let requestID, let version, let request):
            let response = dispatcher.dispatch(request, version: version, from: session)
            served = ControlRequestTally.served(request.kind, reply: response.reply)
            if response.closesSession { session.closeAfterFlush = true }
            let encoded = Records.encode(.reply(id: requestID, response.reply), version: session.version)
            send(OutboundRecord(bytes: encoded, descriptors: response.descriptors), to: session)
            if !response.offersChanged.isEmpty { owed.offersChanged(response.offersChanged, flush: flush) }
        }
        return (sessions.isLive(id) && !session.closeAfterFlush, served)
    }

    /// Queues a record; a peer whose queue is full is not reading and is disconnected.
    func send(_ record: OutboundRecord, to session: ControlSession) {
        guard session.enqueue(record) else {
            close(session.connectionID, reason: "outbound queue full (peer not reading)")
            return
        }
        flush(session)
    }

    func flush(_ session: ControlSession) {
        do {
            var drained = try session.flush()
            // An empty queue is where owed notices and waiting fault reports may go.
            if drained, !session.closeAfterFlush, owed.queue(into: session) { drained = try session.flush() }
            if session.closeAfterFlush {
                // The refusal is out, or the peer is not reading even that: either way it ends
                // now, so a refused peer can neither keep a slot nor make the loop spin.
                close(session.connectionID, reason: drained ? "closed after refusal" : "refused peer not reading")
                return
            }
            let events: Epoll.Events = drained ? Self.sessionEvents : Self.sessionEvents.union(.writable)
            try reactor.rewatch(session.socket.raw, as: .session(session.connectionID), for: events)
        } catch {
            close(session.connectionID, reason: "send failed: \(error)")
        }
    }

    /// Answers with an error; errors that close the session close it once the answer is out.
    func refuse(_ session: ControlSession, requestID: UInt32, _ error: ExoError, detail: String) {
        let bytes = Records.encode(.reply(id: requestID, .error(error, detail: detail)), version: session.version)
        if error.closesSession { session.closeAfterFlush = true }
        send(OutboundRecord(bytes: bytes, descriptors: []), to: session)
    }

    /// Ends a connection: it leaves the registry, its turns and the reactor, queued replies
    /// are dropped, then `onClose` ends what it held.
    func close(_ id: UInt64, reason: String) {
        guard let session = sessions.remove(id) else { return }
        turns.markDone(id, now: MonotonicClock.nanoseconds())
        reactor.unwatch(session.socket.raw)
        session.discardOutbound()
        session.socket.close()
        onClose(session)
        let peer = "pid \(session.credentials.pid) uid \(session.credentials.uid)"
        switch session.role {
        case .tenant(let tenant, _):
            let name = dispatcher.plane.roster[tenant]?.name ?? String(tenant)
            Log.info("session \(id) (tenant \(name), \(peer)) ended: \(reason)", Log.about(session: id, tenant: name))
        case .operator where reason == ControlRecordReader.peerClosed:
            // Debug, like the operator's attach: a monitoring poll must not fill the journal.
            Log.debug("session \(id) (operator, \(peer)) ended: \(reason)", Log.about(session: id))
        case .operator:
            // Cut off (queue full, send failed): worth a line at info.
            Log.info("session \(id) (operator, \(peer)) ended: \(reason)", Log.about(session: id))
        case .awaitingHello:
            Log.info("session \(id) (not attached, \(peer)) ended: \(reason)", Log.about(session: id))
        }
    }

    /// Refuses every session whose hello is overdue (it closes once the refusal is out).
    func expireHandshakes(now: UInt64) {
        for session in sessions.all {
            guard case .awaitingHello(let deadline) = session.role, deadline <= now, !session.closeAfterFlush
            else { continue }
            refuse(session, requestID: 0, .handshakeTimeout, detail: "no hello within \(config.handshakeTimeoutMilliseconds) ms")
        }
    }

    /// When the loop must look at the connections again: the first hello deadline, the first
    /// owner whose turn may be served, or a fault report the rate held back; nil for never.
    func nextDeadline(now: UInt64) -> UInt64? {
        var earliest = min(owed.nextFaultReportTime() ?? .max, turns.nextServiceTime(now: now) ?? .max)
        for session in sessions.all {
            if case .awaitingHello(let deadline) = session.role { earliest = min(earliest, deadline) }
        }
        return earliest == .max ? nil : earliest
    }
}
