// Tenant rules: well-formed unique names, quotas within the pool, and identities that keep
// tenants apart (no uid or gid in two tenants, no root, never the daemon's own uid).

/// One section's checks for `ConfigValidator.check` (pure; findings collected, nothing thrown).
enum TenantConfigCheck {
    static func checkTenants(_ c: DaemonConfig, daemonUID: UInt32, _ findings: inout Findings) {
        if c.tenants.isEmpty {
            findings.warn("tenant", "no [[tenant]] is configured: no application can attach")
        }
        var nameOwner: [String: Int] = [:]
        var uidOwner: [UInt32: Int] = [:]
        var gidOwner: [UInt32: Int] = [:]
        for (index, tenant) in c.tenants.enumerated() {
            let path = "tenant[\(index)]"
            checkTenantName(tenant.name, index: index, owners: &nameOwner, in: c, &findings)
            if tenant.uids.isEmpty && tenant.gids.isEmpty {
                findings.error(path, "tenant '\(tenant.name)' lists no uids and no gids: nobody could attach as it")
            }
            for (position, uid) in tenant.uids.enumerated() {
                let key = "\(path).uids[\(position)]"
                checkIdentity(uid, kind: "uid", key: key, tenant: index, owners: &uidOwner, in: c, &findings)
                checkTenantUID(uid, key: key, daemonUID: daemonUID, allowRoot: c.allowRootTenants, &findings)
            }
            for (position, gid) in tenant.gids.enumerated() {
                let key = "\(path).gids[\(position)]"
                checkIdentity(gid, kind: "gid", key: key, tenant: index, owners: &gidOwner, in: c, &findings)
                if gid == 0 && !c.allowRootTenants {
                    findings.error(
                        key,
                        "gid 0 is root's group: tenants must be distinct non-root identities (set daemon.allow_root_tenants only for tests)"
                    )
                }
            }
            if tenant.frameQuota < 1 || tenant.frameQuota > c.frameCount {
                findings.error(
                    "\(path).frame_quota",
                    "\(tenant.frameQuota) is out of range: must be between 1 and frames.count (\(c.frameCount))")
            }
            if tenant.guaranteedFrames > tenant.frameQuota {
                findings.error(
                    "\(path).guaranteed_frames",
                    "\(tenant.guaranteedFrames) is more than the tenant's frame_quota (\(tenant.frameQuota))")
            }
        }
    }

    static func checkTenantName(
        _ name: String, index: Int, owners: inout [String: Int], in c: DaemonConfig, _ findings: inout Findings
    ) {
        let key = "tenant[\(index)].name"
        if !isTenantName(name) {
            findings.error(key, "'\(name)' is not a tenant name: 1 to 32 of a-z, 0-9, '_' and '-'")
        } else if let first = owners[name] {
            findings.error(key, "'\(name)' is already the name of tenant[\(first)]: tenant names must be unique")
        } else {
            owners[name] = index
        }
    }

    /// `[a-z0-9_-]{1,32}`.
    static func isTenantName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        return (1...32).contains(bytes.count)
            && bytes.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                    UInt8(ascii: "_"), UInt8(ascii: "-"):
                    return true
                default:
                    return false
                }
            }
    }

    /// A uid or gid names at most one tenant, once: processes that share a uid can reach each
    /// other's memory (ptrace, /proc/PID/mem, pidfd_getfd), so they cannot be kept apart.
    static func checkIdentity(
        _ id: UInt32, kind: String, key: String, tenant index: Int, owners: inout [UInt32: Int],
        in c: DaemonConfig, _ findings: inout Findings
    ) {
        if id == UInt32.max {
            findings.error(key, "\(id) is (\(kind)_t)-1, not a \(kind)")
        } else if let first = owners[id] {
            if first == index {
                findings.error(key, "\(kind) \(id) is listed twice in tenant '\(c.tenants[index].name)'")
            } else {
                findings.error(
                    key,
                    "\(kind) \(id) already belongs to tenant '\(c.tenants[first].name)' (tenant[\(first)]): a \(kind) may belong to at most one tenant, since same-uid processes can reach each other's memory"
                )
            }
        } else {
            owners[id] = index
        }
    }

    /// Root (uid 0) only in test mode; the daemon's own uid never, except root in test mode.
    static func checkTenantUID(
        _ uid: UInt32, key: String, daemonUID: UInt32, allowRoot: Bool, _ findings: inout Findings
    ) {
        if uid == 0 {
            if !allowRoot {
                findings.error(
                    key,
                    "uid 0 is root: tenants must be distinct non-root uids (set daemon.allow_root_tenants only for tests)")
            }
        } else if uid == daemonUID {
            findings.error(
                key, "uid \(uid) is the daemon's own uid: a tenant with it could reach the daemon's memory")
        }
    }
}
