// Host-limit rules: the pool's one fd and one mapping per frame must fit RLIMIT_NOFILE and
// vm.max_map_count, and each tenant's quota should fit the same limits on its side.

/// One section's checks for `ConfigValidator.check` (pure; findings collected, nothing thrown).
enum HostConfigCheck {
    static func checkHost(_ c: DaemonConfig, limits: HostLimits, _ findings: inout Findings) {
        let frames = UInt64(c.frameCount)
        let connections = UInt64(max(0, c.maxConnections))
        let descriptors = frames + ConfigValidator.reservedDescriptors + connections
        if descriptors > limits.openFiles {
            findings.error(
                "frames.count",
                "pool of \(frames) frames needs \(descriptors) descriptors (\(frames) frames + \(ConfigValidator.reservedDescriptors) reserved + \(connections) connections) but the hard RLIMIT_NOFILE (which exokerneld raises its soft limit to) is \(limits.openFiles); raise LimitNOFILE= in the unit or lower frames.count"
            )
        }
        let mappings = Int(c.frameCount) + ConfigValidator.reservedMappings
        if mappings > limits.maxMapCount {
            findings.error(
                "frames.count",
                "pool of \(frames) frames needs \(mappings) memory mappings (\(frames) frames + \(ConfigValidator.reservedMappings) reserved) but vm.max_map_count is \(limits.maxMapCount); raise vm.max_map_count (sysctl) or lower frames.count"
            )
        }
        for (index, tenant) in c.tenants.enumerated() {
            checkTenantLimits(tenant, index: index, limits: limits, &findings)
        }
    }

    /// A warning, not an error: the tenant's process runs under its own limits, which the
    /// daemon cannot see; the daemon's are the best guess of the host's.
    static func checkTenantLimits(_ tenant: TenantConfig, index: Int, limits: HostLimits, _ findings: inout Findings) {
        let needed = UInt64(tenant.frameQuota) + ConfigValidator.reservedDescriptors
        var short: [String] = []
        if needed > limits.openFiles { short.append("RLIMIT_NOFILE is \(limits.openFiles)") }
        if needed > UInt64(max(0, limits.maxMapCount)) { short.append("vm.max_map_count is \(limits.maxMapCount)") }
        guard !short.isEmpty else { return }
        findings.warn(
            "tenant[\(index)].frame_quota",
            "tenant '\(tenant.name)' may hold \(tenant.frameQuota) frames and needs about \(needed) descriptors and mappings but \(short.joined(separator: " and ")): a tenant maps one frame per mapping and receives one fd per frame while mapping"
        )
    }
}
