// The daemon's control half built in-process, without root and without its loop: the
// arbiter and frame backing (ControlPlane), a data plane without a NIC, the session
// registry and the dispatcher, with peers played over socket pairs.

import Crypto
import ExoCore
import ExoPlatform
import ExoWire
import Testing

@testable import ExoDaemon

/// Records what the dispatcher asked of its host (the loop), so a test can tell whether a
/// refused request reached it.
final class RecordingHost: ControlDispatcherHost {
    private(set) var openedPaths: [UInt64] = []
    private(set) var captureRequests: [Request] = []
    private(set) var reloadRequests = 0

    func dataPathOpened(_ path: SessionRings) { openedPaths.append(path.connectionID) }

    func startCapture(_ request: Request, for session: ControlSession) -> Response? {
        captureRequests.append(request)
        return Response(reply: .captureStarted(captureID: 1, snapLength: 64))
    }

    func reload(requestedBy session: ControlSession) -> Response {
        reloadRequests += 1
        return Response(reply: .reloaded(ReloadReport(applied: true)))
    }
}

final class DaemonParts {
    static let aliceUID: UInt32 = 60001
    static let bobUID: UInt32 = 60002
    static let operatorUID: UInt32 = 0

    let config: DaemonConfig
    let plane: ControlPlane
    let dataPlane: DataPlane
    let sessions: SessionRegistry
    let accounting: TenantAccounting
    let dispatcher: ControlDispatcher
    let host = RecordingHost()
    /// The peers' ends of the sessions' sockets, kept open while the test runs.
    private var peerSides: [OwnedDescriptor] = []

    init(frameQuota: UInt32 = 4, limits: TenantLimits = .defaults, maxConnections: Int = 16, perUID: Int = 8) throws {
        let config = DaemonConfig(
            maxConnections: maxConnections, maxConnectionsPerUID: perUID, frameCount: 16, frameSize: 4096,
            limits: limits,
            tenants: [
                TenantConfig(name: "alice", uids: [Self.aliceUID], frameQuota: frameQuota),
                TenantConfig(name: "bob", uids: [Self.bobUID], frameQuota: frameQuota),
            ])
        self.config = config
        let specs = config.tenants.enumerated().map { index, t in
            TenantSpec(id: TenantID(index), name: t.name, frameQuota: t.frameQuota, limits: config.limits)
        }
        let arbiter = Arbiter(frameCount: config.frameCount, tenants: specs, tokenKey: SymmetricKey(data: [UInt8](repeating: 0x5A, count: 32)), runID: 7)
        plane = ControlPlane(config: config, arbiter: arbiter)
        dataPlane = try DataPlane(config: config, control: plane, nic: nil)
        sessions = SessionRegistry(
            limits: AdmissionLimits(connections: maxConnections, connectionsPerUID: perUID))
        accounting = TenantAccounting(plane: plane, dataPlane: dataPlane, sessions: sessions)
        dispatcher = ControlDispatcher(config: config, plane: plane, dataPlane: dataPlane, sessions: sessions,
            accounting: accounting, daemonUID: 0, operatorGID: nil)
        dispatcher.host = host
    }

    /// A connected, admitted session of a peer with `uid`, not attached yet.
    func connect(uid: UInt32) throws -> ControlSession {
        let (daemonSide, peerSide) = try UnixSeqpacket.pair()
        peerSides.append(peerSide)
        let session = ControlSession(connectionID: sessions.takeConnectionID(), socket: daemonSide,
            credentials: PeerCredentials(pid: 1, uid: uid, gid: uid), handshakeDeadline: .max, outboundLimit: 64)
        sessions.add(session)
        return session
    }

    func attachTenant(_ name: String, uid: UInt32) throws -> ControlSession {
        let session = try connect(uid: uid)
        let reply = dispatch(.hello(Hello(role: .tenant, tenantName: name)), from: session).reply
        guard case .helloAccepted = reply else { throw FixtureError.notAttached(reply) }
        return session
    }

    func attachOperator() throws -> ControlSession {
        let session = try connect(uid: Self.operatorUID)
        let reply = dispatch(.hello(Hello(role: .operator, tenantName: "")), from: session).reply
        guard case .helloAccepted = reply else { throw FixtureError.notAttached(reply) }
        return session
    }

    /// Dispatches `request` in a record of the session's own version.
    func dispatch(_ request: Request, from session: ControlSession) -> Response {
        dispatcher.dispatch(request, version: session.version, from: session)
    }

    enum FixtureError: Error { case notAttached(Reply) }
}

/// The error code of a reply, or nil for a reply that is not an error.
func errorCode(_ reply: Reply) -> ExoError? {
    if case .error(let error, _) = reply { return error }
    return nil
}

/// One well-formed request of each request kind ExoWire defines; nil for a kind with no
/// sample yet (a new request kind fails `everyRequestKindHasASample` until it gets one).
func sampleRequest(_ kind: MessageKind) -> Request? {
    let endpoint = WireEndpoint(proto: 17, address: 0x0A00_0002, port: 7)
    switch kind {
    case .hello: return .hello(Hello(role: .tenant, tenantName: "alice"))
    case .allocate: return .allocate(frames: [3])
    case .allocateAny: return .allocateAny(count: 1)
    case .unref: return .unref(frames: [3])
    case .map: return .map(frames: [3])
    case .grant: return .grant(frame: 3, rights: .read, audience: "bob")
    case .redeem: return .redeem(token: [1, 2, 3])
    case .ping: return .ping
    case .openDataPath: return .openDataPath(ringCapacity: 64)
    case .bind: return .bind(endpoint)
    case .unbind: return .unbind(endpoint)
    case .installFilter: return .installFilter(endpoint, atoms: [])
    case .removeFilter: return .removeFilter(filterID: 1)
    case .offers: return .offers(Page())
    case .status: return .status
    case .tenants: return .tenants(Page())
    case .frames: return .frames(tenant: nil, page: Page())
    case .capabilities: return .capabilities(tenant: nil, page: Page())
    case .bindings: return .bindings(tenant: nil, page: Page())
    case .stats: return .stats
    case .nic: return .nic
    case .filters: return .filters(tenant: nil, page: Page())
    case .capture: return .capture(tenant: "alice", count: 1, snapLength: 64)
    case .impair: return .impair(tenant: nil, direction: .both, profile: WireImpairmentProfile(), seed: 1)
    case .reload: return .reload
    case .revocationDone: return .revocationDone(id: 1)
    case .revoke: return .revoke(tenant: "alice", frames: 1, deadlineMillis: 100)
    case .revokeGrant: return .revokeGrant(tokenID: 1, deadlineMillis: 100)
    default: return nil
    }
}

/// Every request kind of the protocol.
let requestKinds = MessageKind.allCases.filter { $0.family == .request }
