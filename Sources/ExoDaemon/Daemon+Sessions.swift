// A control connection's life in the loop: accepted and admitted (SessionRegistry's limits),
// watched (Reactor), written to as its queue allows, and ended with everything it held.

import ExoCore
import ExoPlatform
import ExoWire

extension Daemon {
    /// A control session's registration: edge-triggered, since its requests are read in
    /// turns (not all at once) and one still holding some must not wake every wait.
    static let sessionEvents: Epoll.Events = [.readable, .edgeTriggered]

    func acceptConnections() {
        while true {
            let accepted: OwnedDescriptor?
            do {
                accepted = try UnixSeqpacket.accept(listener.raw)
            } catch {
                if error.isOutOfDescriptors {
                    // accept4 reserves a descriptor before it looks for a connection, so EMFILE
                    // does not mean one is pending: stop once nothing was there to refuse.
                    guard refuseAtDescriptorLimit() else { return }
                    continue
                }
                if error.isTransientAcceptFailure { continue }
                Log.warning("accept failed: \(error)")
                return
            }
            guard let socket = accepted else { return }
            admit(socket)
        }
    }

    /// At EMFILE the pending connection would wake epoll forever: free the spare descriptor,
    /// accept the connection and close it at once, then take the spare back.
    /// Returns whether a connection was taken (and refused).
    private func refuseAtDescriptorLimit() -> Bool {
        spareDescriptor?.close()
        spareDescriptor = nil
        let refused = (try? UnixSeqpacket.accept(listener.raw)).flatMap { $0 }
        refused?.close()
        spareDescriptor = OwnedDescriptor.openNullDevice()
        if refused != nil { Log.warning("out of file descriptors: refused a control connection") }
        return refused != nil
    }

    private func admit(_ socket: OwnedDescriptor) {
        guard let credentials = try? PeerIdentity.credentials(of: socket.raw) else {
            socket.close()
            return
        }
        if let refusal = sessions.admissionRefusal(uid: credentials.uid) {
            // Best effort: tell the peer why, without waiting for it to read.
            let bytes = Records.encode(.reply(id: 0, .error(.tooManyConnections, detail: refusal)))
            _ = try? UnixSeqpacket.send(socket.raw, bytes, descriptors: [])
            socket.close()
            return
        }
        let id = sessions.takeConnectionID()
        let deadline = MonotonicClock.nanoseconds() + UInt64(config.handshakeTimeoutMilliseconds) * 1_000_000
        let session = ControlSession(connectionID: id, socket: socket, credentials: credentials,
            handshakeDeadline: deadline, outboundLimit: config.outboundQueueLimit)
        do {
            try reactor.watch(socket.raw, as: .session(id), for: Self.sessionEvents)
        } catch {
            socket.close()
            return
        }
        sessions.add(session)
    }

    /// Ends a connection: its holdings and tokens end at once (frames nobody else holds become
    /// free), queued replies are dropped, and the audiences of its dead offers are told.
    func closeSession(_ id: UInt64, reason: String) {
        guard let session = sessions.remove(id) else { return }
        turns.markDone(id, now: MonotonicClock.nanoseconds())
        reactor.unwatch(session.socket.raw)
        session.discardOutbound()
        session.socket.close()
        let who: String
        switch session.role {
        case .tenant(let tenant, let arbiterSession):
            if !sessions.hasSessions(tenant) { endCaptures(ofTenant: tenant) }
            if let path = dataPlane.close(session: arbiterSession) { reactor.unwatch(path.tenantToDaemon.fd) }
            offersChanged(plane.closeSession(arbiterSession))
            who = "tenant \(config.tenants[Int(tenant)].name)"
        case .operator:
            dropCaptures(ofConnection: id)
            who = "operator"
        case .awaitingHello: who = "not attached"
        }
        Log.info("session \(id) (\(who), pid \(session.credentials.pid) uid \(session.credentials.uid)) ended: \(reason)")
    }

    /// Queues a record; a peer whose queue is full is not reading and is disconnected.
    func send(_ record: OutboundRecord, to session: ControlSession) {
        guard session.enqueue(record) else {
            closeSession(session.connectionID, reason: "outbound queue full (peer not reading)")
            return
        }
        flush(session)
    }

    func flush(_ session: ControlSession) {
        do {
            var drained = try session.flush()
            // An empty queue is where owed notices and waiting fault reports may go.
            if drained, !session.closeAfterFlush, queueOwedRecords(session) { drained = try session.flush() }
            if session.closeAfterFlush {
                // The refusal is out, or the peer is not reading even that: either way it ends
                // now, so a refused peer can neither keep a slot nor make the loop spin.
                closeSession(session.connectionID, reason: drained ? "closed after refusal" : "refused peer not reading")
                return
            }
            let events: Epoll.Events = drained ? Self.sessionEvents : Self.sessionEvents.union(.writable)
            try reactor.rewatch(session.socket.raw, as: .session(session.connectionID), for: events)
        } catch {
            closeSession(session.connectionID, reason: "send failed: \(error)")
        }
    }

    /// Answers with an error; errors that close the session close it once the answer is out.
    func refuse(_ session: ControlSession, requestID: UInt32, _ error: ExoError, detail: String) {
        let bytes = Records.encode(.reply(id: requestID, .error(error, detail: detail)), version: session.version)
        if error.closesSession { session.closeAfterFlush = true }
        send(OutboundRecord(bytes: bytes, descriptors: []), to: session)
    }

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
