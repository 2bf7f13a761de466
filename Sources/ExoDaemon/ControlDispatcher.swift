// The one entry of every decoded control request (seL4's decode → check → invoke): the codec
// (ExoWire) decoded it; here its kind's row in one table says who may make it, that check
// happens once, and the request is invoked on the part that serves it (ControlPlane for
// frames and capabilities, DataPlaneRequests and ImpairmentStage for the data path and its
// queries, TenantAccounting for the tenants listing, the host for what the loop itself owns). A new request kind is one row
// in `permissions` and one case in the invoke switch (ControlDispatcher+Invoke.swift).

import ExoCore
import ExoPlatform
import ExoWire

/// Who may make a request of a kind (docs/PROTOCOL.md §4).
enum RequestPermission: Equatable, Sendable {
    /// The hello: a session not attached yet (an attached one is refused `alreadyAttached`).
    case handshake
    /// A tenant session; an operator session is refused `notAttached` (it holds no frames).
    case tenant
    /// An operator session; a tenant session is refused `notOperator`.
    case `operator`
    /// Any attached session.
    case attached
}

/// What the dispatcher asks of the daemon that owns it: the parts of a request's effect that
/// belong to the event loop, not to a plane.
protocol ControlDispatcherHost: AnyObject {
    /// A tenant's data path was opened: the loop watches its tenant-to-daemon eventfd.
    func dataPathOpened(_ path: SessionRings)
    /// An operator's `capture` request (captures stream from the loop); nil for other requests.
    func startCapture(_ request: Request, for session: ControlSession) -> Response?
    /// An operator's `reload`: reads the configuration file again and applies it or refuses it.
    func reload(requestedBy session: ControlSession) -> Response
}

/// Routes attached sessions' requests. Owned by the daemon's loop (one thread).
final class ControlDispatcher {
    /// The table: every request kind ExoWire defines, and who may make it.
    static let permissions: [MessageKind: RequestPermission] = [
        .hello: .handshake,
        .allocate: .tenant,
        .allocateAny: .tenant,
        .unref: .tenant,
        .map: .tenant,
        .grant: .tenant,
        .redeem: .tenant,
        .offers: .tenant,
        .openDataPath: .tenant,
        .bind: .tenant,
        .unbind: .tenant,
        .installFilter: .tenant,
        .removeFilter: .tenant,
        .ping: .attached,
        .status: .operator,
        .tenants: .operator,
        .frames: .operator,
        .capabilities: .operator,
        .bindings: .operator,
        .stats: .operator,
        .nic: .operator,
        .filters: .operator,
        .capture: .operator,
        .impair: .operator,
        .reload: .operator,
        .revocationDone: .tenant,
        .revoke: .operator,
        .revokeGrant: .attached,
    ]

    /// The configuration in force (a reload replaces it).
    var config: DaemonConfig
    let plane: ControlPlane
    let dataPlane: DataPlane
    let sessions: SessionRegistry
    let accounting: TenantAccounting
    /// Revocations: the operator's `revoke`, tenants' `revocationDone`, deadlines.
    let revocations: RevocationDesk
    /// Who may attach as an operator besides root (the handshake's inputs).
    let daemonUID: UInt32
    /// Re-resolved when a reload changes `daemon.operator_group`.
    var operatorGID: UInt32?
    weak var host: (any ControlDispatcherHost)?

    init(config: DaemonConfig, plane: ControlPlane, dataPlane: DataPlane, sessions: SessionRegistry,
         accounting: TenantAccounting, daemonUID: UInt32, operatorGID: UInt32?) {
        self.config = config
        self.plane = plane
        self.dataPlane = dataPlane
        self.sessions = sessions
        self.accounting = accounting
        revocations = RevocationDesk(plane: plane, dataPlane: dataPlane, sessions: sessions)
        self.daemonUID = daemonUID
        self.operatorGID = operatorGID
    }

    /// Answers one request `session` sent in a record of protocol `version`. The order of
    /// the checks is the protocol's (docs/PROTOCOL.md §1, §4): the hello first (it sets the
    /// version), then the record's version, then the session's role, then the request itself.
    func dispatch(_ request: Request, version: UInt16, from session: ControlSession) -> Response {
        guard let permission = Self.permissions[request.kind] else {
            return .refusal(.internalError, detail: "no route for \(request.kind)")
        }
        if case .hello(let hello) = request { return attach(session, hello: hello) }
        guard version == session.version else {
            return .refusal(.unsupportedVersion, detail: "message version \(version), session version \(session.version)")
        }
        switch (session.role, permission) {
        case (.awaitingHello, _):
            return .refusal(.notAttached, detail: "send hello first")
        case (.tenant, .operator):
            return .refusal(.notOperator, detail: ExoError.notOperator.description)
        case (.operator, .tenant):
            return .refusal(.notAttached, detail: ExoError.notAttached.description)
        case (.tenant(let tenant, let arbiterSession), _):
            return invoke(request, by: TenantCaller(tenant: tenant, session: arbiterSession, connection: session))
        case (.operator, _):
            return invoke(request, byOperator: session)
        }
    }
}

/// An attached tenant session, as the invoke step sees it.
struct TenantCaller {
    let tenant: TenantID
    /// The arbiter's id for the connection's holdings.
    let session: SessionID
    let connection: ControlSession
}

extension Response {
    /// An error reply; `closesSession` as the error's code says (docs/PROTOCOL.md §6), or
    /// forced for a refused hello.
    static func refusal(_ error: ExoError, detail: String, closing: Bool? = nil) -> Response {
        var response = Response(reply: .error(error, detail: detail))
        response.closesSession = closing ?? error.closesSession
        return response
    }

    /// A request's own refusal (from the arbiter or a plane): never closes the session.
    static func refused(_ error: ExoError) -> Response {
        Response(reply: .error(error, detail: error.description))
    }
}
