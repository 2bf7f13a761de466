// The attach handshake's decision, as pure logic: which protocol version, and whether this
// peer (as the kernel reports it, SO_PEERCRED/SO_PEERGROUPS) may be the tenant it names.

import ExoWire

/// Outcome of a hello. A refusal carries the reason for the daemon's log; `peerDetail` is
/// what the peer is told before the session closes.
enum HandshakeDecision: Equatable {
    case tenant(TenantID, version: UInt16)
    case `operator`(version: UInt16)
    case refuse(ExoError, reason: String)

    /// The text of the refusal sent to the peer. Every refused tenant hello gets the same
    /// bytes, whether the name is unknown or the peer may not use it (or is root), so that
    /// names cannot be probed (docs/PROTOCOL.md §4); only the log tells them apart.
    var peerDetail: String? {
        guard case .refuse(let error, let reason) = self else { return nil }
        return error == .notPermitted ? Handshake.tenantRefusalDetail : reason
    }
}

enum Handshake {
    /// The one text every refused tenant hello gets.
    static let tenantRefusalDetail = "this peer may not attach as the tenant it named"

    /// Highest version both sides speak, or nil.
    static func negotiate(_ hello: Hello) -> UInt16? {
        let low = max(hello.minVersion, WireLimits.minVersion)
        let high = min(hello.maxVersion, WireLimits.maxVersion)
        return low <= high ? high : nil
    }

    /// Decides a hello. `peerGroups` is asked only for operators (it costs a syscall).
    static func decide(
        _ hello: Hello, config: DaemonConfig, roster: TenantRoster, peer: (uid: UInt32, gid: UInt32),
        daemonUID: UInt32, operatorGID: UInt32?, peerGroups: () -> [UInt32]
    ) -> HandshakeDecision {
        guard let version = negotiate(hello) else {
            return .refuse(.unsupportedVersion,
                reason: "daemon speaks versions \(WireLimits.minVersion)...\(WireLimits.maxVersion), "
                    + "peer \(hello.minVersion)...\(hello.maxVersion)")
        }
        switch hello.role {
        case .operator:
            if peer.uid == 0 || peer.uid == daemonUID { return .operator(version: version) }
            if let gid = operatorGID, peer.gid == gid || peerGroups().contains(gid) {
                return .operator(version: version)
            }
            return .refuse(.notOperator, reason: "uid \(peer.uid) is neither root nor in the operator group")
        case .tenant:
            guard let id = roster.id(named: hello.tenantName), let tenant = roster[id] else {
                return .refuse(.notPermitted, reason: "no tenant named '\(hello.tenantName)' is configured")
            }
            if let reason = refusal(of: peer, as: tenant, allowRootTenants: config.allowRootTenants) {
                return .refuse(.notPermitted, reason: reason)
            }
            return .tenant(id, version: version)
        }
    }

    /// Why `peer` may not attach as `tenant`, or nil when it may: its uid or primary gid is
    /// one the tenant lists, or it is root and root tenants are allowed (tests only). The
    /// hello and a reload (for the sessions it keeps) apply this one rule.
    static func refusal(of peer: (uid: UInt32, gid: UInt32), as tenant: TenantConfig, allowRootTenants: Bool)
        -> String?
    {
        if peer.uid == 0 {
            return allowRootTenants
                ? nil : "root may not attach as a tenant (daemon.allow_root_tenants is for tests only)"
        }
        guard tenant.uids.contains(peer.uid) || tenant.gids.contains(peer.gid) else {
            return "uid \(peer.uid) gid \(peer.gid) may not attach as tenant '\(tenant.name)'"
        }
        return nil
    }
}
