// The hello's invoke step: the handshake decides (Handshake.swift, pure), and an accepted
// peer becomes an operator or one of its tenant's sessions in the arbiter and the registry.

import ExoCore
import ExoPlatform
import ExoWire

extension ControlDispatcher {
    /// Attaches `session` as its hello asks, or refuses (a refused hello always ends the
    /// session, once the reason is out; a second hello does not).
    func attach(_ session: ControlSession, hello: Hello) -> Response {
        guard case .awaitingHello = session.role else {
            return .refusal(.alreadyAttached, detail: "this session is attached")
        }
        let credentials = session.credentials
        let decision = Handshake.decide(hello, config: config, roster: plane.roster, peer: (credentials.uid, credentials.gid),
            daemonUID: daemonUID, operatorGID: operatorGID,
            peerGroups: { (try? PeerIdentity.groups(of: session.socket.raw)) ?? [] })
        switch decision {
        case .refuse(let error, let reason):
            Log.info("refused attach of pid \(credentials.pid) uid \(credentials.uid): \(reason)")
            return .refusal(error, detail: decision.peerDetail ?? reason, closing: true)
        case .operator(let version):
            session.role = .operator
            session.version = version
            let id = plane.arbiter.issueOperatorSessionID()
            // Debug, not info: a monitoring poll attaches an operator every few seconds.
            Log.debug("session \(session.connectionID): pid \(credentials.pid) uid \(credentials.uid) attached as operator (session id \(id))",
                Log.about(session: session.connectionID))
            return accepted(version: version, sessionID: id, tenant: WireLimits.noTenant, quota: 0)
        case .tenant(let tenant, let version):
            let limit = config.limits.sessions
            let configured = plane.roster[tenant]
            let name = configured?.name ?? "?"
            guard plane.arbiter.usage(of: tenant).sessions < UInt32(clamping: limit) else {
                accounting.countRefusal(.sessions, tenant: tenant)
                Log.info("refused attach of pid \(credentials.pid) uid \(credentials.uid): tenant \(name) has \(limit) sessions (limits.sessions)",
                    Log.about(session: session.connectionID, tenant: name))
                return .refusal(.sessionLimit, detail: "the tenant has \(limit) sessions (limits.sessions)")
            }
            let arbiterSession = plane.arbiter.openSession(tenant: tenant)
            session.role = .tenant(tenant, session: arbiterSession)
            session.version = version
            sessions.attach(session, to: tenant)
            Log.info("session \(session.connectionID): pid \(credentials.pid) uid \(credentials.uid) attached as tenant \(name)",
                Log.about(session: session.connectionID, tenant: name))
            return accepted(version: version, sessionID: arbiterSession, tenant: tenant,
                quota: configured?.frameQuota ?? 0)
        }
    }

    private func accepted(version: UInt16, sessionID: SessionID, tenant: TenantID, quota: UInt32) -> Response {
        Response(reply: .helloAccepted(HelloAccepted(version: version, features: FeatureBits(), sessionID: sessionID,
            tenantID: tenant, frameSize: config.frameSize, poolFrames: config.frameCount, frameQuota: quota,
            maxMessageSize: UInt32(WireLimits.maxMessageSize),
            maxDescriptorsPerMessage: UInt16(WireLimits.maxDescriptorsPerMessage))))
    }

    /// The gid of the configured operator group (resolved once, at start-up); nil when the
    /// named group does not exist, so only root and the daemon's uid may use exoctl.
    static func resolve(_ group: OperatorGroup) -> UInt32? {
        switch group {
        case .gid(let gid): return gid
        case .name(let name):
            guard let gid = ProcessIdentity.groupID(named: name) else {
                Log.warning("operator group '\(name)' does not exist: only root may use exoctl")
                return nil
            }
            return gid
        }
    }
}
