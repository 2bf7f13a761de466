// Reading control records: framing checks (truncation, stray descriptors, version), the
// hello, and dispatch of attached sessions' requests to the control plane.

import ExoCore
import ExoPlatform
import ExoWire

extension Daemon {
    /// Reads and handles one record of `session`. Returns false when nothing more waits: its
    /// socket would block, it ended, or it closes once its refusal is out.
    func serveOneRecord(_ session: ControlSession) -> Bool {
        let id = session.connectionID
        guard isLive(id), !session.closeAfterFlush else { return false }
        let record: ReceivedRecord?
        do {
            record = try UnixSeqpacket.receive(session.socket.raw, into: receive)
        } catch {
            closeSession(id, reason: "receive failed: \(error)")
            return false
        }
        guard let record else { return false }  // would block
        if record.isEndOfStream {
            closeSession(id, reason: "peer closed the connection")
            return false
        }
        handle(record, from: session)
        return isLive(id) && !session.closeAfterFlush
    }

    private func handle(_ record: ReceivedRecord, from session: ControlSession) {
        let bytes = UnsafeRawBufferPointer(rebasing: receive[..<min(record.byteCount, receive.count)])
        let admission = RecordAdmission.check(bytes, byteCount: record.byteCount, truncated: record.truncated,
            controlTruncated: record.controlTruncated)
        if case .refuse(let error, let requestID, let detail) = admission {
            for d in record.descriptors { d.close() }
            refuse(session, requestID: requestID, error, detail: detail)
            return
        }
        let header: MessageHeader
        do {
            header = try MessageCodec.peekHeader(bytes)
        } catch {
            for d in record.descriptors { d.close() }
            refuse(session, requestID: 0, error.exoError, detail: "\(error)")
            return
        }
        let message: Message
        do {
            message = try MessageCodec.decode(bytes)
        } catch {
            // The header was readable: answer under the peer's request id. Framing and version
            // errors close the session; an unknown kind or an over-limit batch does not.
            for d in record.descriptors { d.close() }
            refuse(session, requestID: header.requestID, error.exoError, detail: "\(error)")
            return
        }
        // No request of this protocol carries descriptors: close any that came along.
        if !record.descriptors.isEmpty {
            for d in record.descriptors { d.close() }
            refuse(session, requestID: header.requestID, .unexpectedDescriptors,
                detail: "\(record.descriptors.count) descriptors closed")
            return
        }
        guard case .request(let requestID, let request) = message else {
            refuse(session, requestID: header.requestID, .unknownRequest, detail: "peers send requests only")
            return
        }
        if case .hello(let hello) = request {
            handleHello(hello, requestID: requestID, session: session)
            return
        }
        guard header.version == session.version else {
            refuse(session, requestID: requestID, .unsupportedVersion,
                detail: "message version \(header.version), session version \(session.version)")
            return
        }
        let response: Response
        switch session.role {
        case .awaitingHello:
            refuse(session, requestID: requestID, .notAttached, detail: "send hello first")
            return
        case .tenant(let tenant, let arbiterSession):
            response = descriptorRefusal(request, tenant: tenant)
                ?? handleDataPath(request, tenant: tenant, session: arbiterSession, connection: session)
                ?? plane.handleTenant(request, tenant: tenant, session: arbiterSession)
            if case .error(let error, _) = response.reply { countRefusal(error, of: request, by: tenant) }
            // Asking for the offers (or taking one) reads the state a notice announced.
            switch request {
            case .offers, .redeem: session.offerNotice.acknowledge()
            default: break
            }
        case .operator:
            response = handleCapture(request, from: session) ?? handleTenantsListing(request)
                ?? dataPlane.handleOperator(request) ?? plane.handleOperator(request, sessions: sessionCount)
        }
        let encoded = Records.encode(.reply(id: requestID, response.reply), version: session.version)
        send(OutboundRecord(bytes: encoded, descriptors: response.descriptors), to: session)
        if !response.offersChanged.isEmpty { offersChanged(response.offersChanged) }
    }

    /// The data-path requests of a tenant session, or nil for any other request.
    private func handleDataPath(_ request: Request, tenant: TenantID, session: SessionID, connection: ControlSession)
        -> Response?
    {
        do throws(ExoError) {
            switch request {
            case .openDataPath(let capacity):
                let (response, path) = try dataPlane.open(
                    session: session, tenant: tenant, connectionID: connection.connectionID, capacity: capacity)
                register(path)
                Log.info("session \(connection.connectionID): data path open, \(capacity) slots per ring")
                return response
            case .bind(let endpoint):
                return try dataPlane.bind(endpoint, session: session, tenant: tenant)
            case .unbind(let endpoint):
                return try dataPlane.unbind(endpoint, session: session)
            case .installFilter(let endpoint, let atoms):
                return try dataPlane.installFilter(endpoint, atoms: atoms, session: session)
            case .removeFilter(let id):
                return try dataPlane.removeFilter(id, session: session)
            default:
                return nil
            }
        } catch {
            return Response(reply: .error(error, detail: error.description))
        }
    }

    private func handleHello(_ hello: Hello, requestID: UInt32, session: ControlSession) {
        guard case .awaitingHello = session.role else {
            refuse(session, requestID: requestID, .alreadyAttached, detail: "this session is attached")
            return
        }
        let credentials = session.credentials
        let decision = Handshake.decide(hello, config: config, peer: (credentials.uid, credentials.gid),
            daemonUID: daemonUID, operatorGID: operatorGID,
            peerGroups: { (try? PeerIdentity.groups(of: session.socket.raw)) ?? [] })
        switch decision {
        case .refuse(let error, let reason):
            Log.info("refused attach of pid \(credentials.pid) uid \(credentials.uid): \(reason)")
            // A refused hello always ends the session (notOperator included), once the reason is out.
            session.closeAfterFlush = true
            refuse(session, requestID: requestID, error, detail: decision.peerDetail ?? reason)
        case .operator(let version):
            session.role = .operator
            session.version = version
            let id = plane.arbiter.issueOperatorSessionID()
            Log.info("session \(session.connectionID): pid \(credentials.pid) uid \(credentials.uid) attached as operator (session id \(id))")
            sendAccepted(session, requestID: requestID, sessionID: id, tenant: WireLimits.noTenant, quota: 0)
        case .tenant(let tenant, let version):
            let limit = config.limits.sessions
            guard plane.arbiter.usage(of: tenant).sessions < UInt32(clamping: limit) else {
                countRefusal(.sessions, tenant: tenant)
                Log.info("refused attach of pid \(credentials.pid) uid \(credentials.uid): tenant \(config.tenants[Int(tenant)].name) has \(limit) sessions (limits.sessions)")
                refuse(session, requestID: requestID, .sessionLimit, detail: "the tenant has \(limit) sessions (limits.sessions)")
                return
            }
            let arbiterSession = attachTenant(session, tenant: tenant, version: version)
            Log.info("session \(session.connectionID): pid \(credentials.pid) uid \(credentials.uid) attached as tenant \(config.tenants[Int(tenant)].name)")
            sendAccepted(session, requestID: requestID, sessionID: arbiterSession, tenant: tenant,
                quota: config.tenants[Int(tenant)].frameQuota)
        }
    }

    private func sendAccepted(_ session: ControlSession, requestID: UInt32, sessionID: SessionID,
                              tenant: TenantID, quota: UInt32) {
        let accepted = HelloAccepted(version: session.version, features: FeatureBits(), sessionID: sessionID,
            tenantID: tenant, frameSize: config.frameSize, poolFrames: config.frameCount, frameQuota: quota,
            maxMessageSize: UInt32(WireLimits.maxMessageSize),
            maxDescriptorsPerMessage: UInt16(WireLimits.maxDescriptorsPerMessage))
        let bytes = Records.encode(.reply(id: requestID, .helloAccepted(accepted)), version: session.version)
        send(OutboundRecord(bytes: bytes, descriptors: []), to: session)
    }
}
