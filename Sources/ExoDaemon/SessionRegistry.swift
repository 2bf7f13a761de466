// Who is connected: every control session by connection id, how many connections each uid
// holds (admission limits), and which sessions each tenant has attached. Pure bookkeeping:
// the reactor watches the sockets, the daemon decides what a session's end means.

import ExoPlatform
import ExoWire

/// The connection limits admission enforces (`daemon.max_connections`,
/// `daemon.max_connections_per_uid`).
struct AdmissionLimits: Equatable {
    var connections: Int
    var connectionsPerUID: Int
}

/// The control sessions of the daemon. Owned by the daemon's loop (one thread).
///
/// Invariants: a session is in `byConnection` from `add` to `remove`; it is counted once in
/// its uid's connections and, once attached as a tenant, listed once under that tenant; a
/// tenant or uid with no sessions has no entry (so "has sessions" is "has an entry").
final class SessionRegistry {
    /// A reload may change them: they apply to connections admitted afterwards.
    var limits: AdmissionLimits
    private var byConnection: [UInt64: ControlSession] = [:]
    private var connectionsByUID: [UInt32: Int] = [:]
    private var byTenant: [TenantID: Set<UInt64>] = [:]
    private var nextConnectionID: UInt64

    /// Connection ids start at `firstConnectionID` and are never reused within a run, so a
    /// stale id (in a capture, a fault list, a turn) never names a newer session.
    init(limits: AdmissionLimits, firstConnectionID: UInt64 = 1_000) {
        self.limits = limits
        self.nextConnectionID = firstConnectionID
    }

    /// Why a new connection of `uid` is refused, or nil when it may be admitted.
    func admissionRefusal(uid: UInt32) -> String? {
        if byConnection.count >= limits.connections {
            return "daemon has \(byConnection.count) connections (daemon.max_connections)"
        }
        if connectionsByUID[uid, default: 0] >= limits.connectionsPerUID {
            return "uid \(uid) has too many connections (daemon.max_connections_per_uid)"
        }
        return nil
    }

    /// A fresh connection id for the next admitted session.
    func takeConnectionID() -> UInt64 {
        defer { nextConnectionID += 1 }
        return nextConnectionID
    }

    /// Registers an admitted session (not yet attached).
    func add(_ session: ControlSession) {
        precondition(byConnection[session.connectionID] == nil, "connection id reused")
        byConnection[session.connectionID] = session
        connectionsByUID[session.credentials.uid, default: 0] += 1
    }

    /// Lists `session` under `tenant` once its hello attached it.
    func attach(_ session: ControlSession, to tenant: TenantID) {
        byTenant[tenant, default: []].insert(session.connectionID)
    }

    /// Forgets a session; returns it, or nil if it was not registered. Its tenant (if any)
    /// keeps an entry only while another of its sessions remains.
    func remove(_ id: UInt64) -> ControlSession? {
        guard let session = byConnection.removeValue(forKey: id) else { return nil }
        let uid = session.credentials.uid
        if let count = connectionsByUID[uid], count > 1 { connectionsByUID[uid] = count - 1 } else {
            connectionsByUID[uid] = nil
        }
        if case .tenant(let tenant, _) = session.role {
            byTenant[tenant]?.remove(id)
            if byTenant[tenant]?.isEmpty == true { byTenant[tenant] = nil }
        }
        return session
    }

    subscript(id: UInt64) -> ControlSession? { byConnection[id] }

    func isLive(_ id: UInt64) -> Bool { byConnection[id] != nil }

    var count: Int { byConnection.count }

    /// Every session, in no particular order (a copy: the caller may end sessions meanwhile).
    var all: [ControlSession] { Array(byConnection.values) }

    var connectionIDs: [UInt64] { Array(byConnection.keys) }

    /// Connections `uid` holds now.
    func connections(ofUID uid: UInt32) -> Int { connectionsByUID[uid, default: 0] }

    /// Whether the tenant has an attached session.
    func hasSessions(_ tenant: TenantID) -> Bool { byTenant[tenant] != nil }

    /// The attached sessions of `tenant`.
    func sessions(of tenant: TenantID) -> [ControlSession] {
        (byTenant[tenant] ?? []).compactMap { byConnection[$0] }
    }

    /// Descriptors in replies `tenant`'s sessions have not read yet.
    func unreadDescriptors(of tenant: TenantID) -> Int {
        sessions(of: tenant).reduce(0) { $0 + $1.unreadDescriptors() }
    }
}
