// Decodes each section of the configuration file ([daemon], [frames], [[tenant]], [nic]) into
// DaemonConfig fields: types and known keys only; ranges are ConfigValidator's job.

extension ConfigLoader {
    static let documentKeys = ["daemon", "frames", "limits", "tenant", "nic", "impairment", "metrics"]
    static let daemonKeys = [
        "socket", "operator_group", "max_connections", "max_connections_per_uid",
        "handshake_timeout_ms", "outbound_queue_limit", "allow_root_tenants", "log_level",
    ]
    static let framesKeys = ["count", "size"]
    static let tenantKeys = ["name", "uids", "gids", "frame_quota", "guaranteed_frames", "addresses", "ports"]

    /// The whole document; keys that are absent keep `DaemonConfig`'s defaults.
    static func decodeDocument(_ document: TOMLSection) throws(ConfigError) -> DaemonConfig {
        try document.rejectUnknownKeys(known: documentKeys)
        var config = DaemonConfig()
        if let daemon = try document.section("daemon") { try decodeDaemon(daemon, into: &config) }
        if let frames = try document.section("frames") { try decodeFrames(frames, into: &config) }
        if let limits = try document.section("limits") { config.limits = try LimitsSection.decode(limits) }
        if let nic = try document.section("nic") { config.nic = try decodeNic(nic) }
        if let impairment = try document.section("impairment") { config.impairment = try decodeImpairment(impairment) }
        if let metrics = try document.section("metrics") { config.metrics = try MetricsSection.decode(metrics) }
        for tenant in try document.sections("tenant") ?? [] {
            config.tenants.append(try decodeTenant(tenant))
        }
        return config
    }

    static func decodeDaemon(_ section: TOMLSection, into config: inout DaemonConfig) throws(ConfigError) {
        try section.rejectUnknownKeys(known: daemonKeys)
        if let socket = try section.string("socket") { config.socketPath = socket }
        if let group = try decodeOperatorGroup(section) { config.operatorGroup = group }
        if let value = try section.integer("max_connections", as: Int.self) { config.maxConnections = value }
        if let value = try section.integer("max_connections_per_uid", as: Int.self) {
            config.maxConnectionsPerUID = value
        }
        if let value = try section.integer("handshake_timeout_ms", as: Int.self) {
            config.handshakeTimeoutMilliseconds = value
        }
        if let value = try section.integer("outbound_queue_limit", as: Int.self) {
            config.outboundQueueLimit = value
        }
        if let value = try section.bool("allow_root_tenants") { config.allowRootTenants = value }
        if let level = try LogLevelSetting.decode("log_level", in: section) { config.logLevel = level }
    }

    /// `operator_group` is a group name (`"exokernel"`), or a gid written as an integer
    /// (`1001`) or as a string of digits (`"1001"`).
    static func decodeOperatorGroup(_ section: TOMLSection) throws(ConfigError) -> OperatorGroup? {
        let key = "operator_group"
        guard let value = section.table[key] else { return nil }
        if value.integer != nil, let gid = try section.integer(key, as: UInt32.self) { return .gid(gid) }
        guard let text = value.string else {
            throw section.error(key, "expected a group name or a numeric gid, got \(TOMLSection.noun(value.kind))")
        }
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            guard let gid = UInt32(text) else {
                throw section.error(key, "gid must be between 0 and \(UInt32.max)")
            }
            return .gid(gid)
        }
        return .name(text)
    }

    static func decodeFrames(_ section: TOMLSection, into config: inout DaemonConfig) throws(ConfigError) {
        try section.rejectUnknownKeys(known: framesKeys)
        if let count = try section.integer("count", as: UInt32.self) { config.frameCount = count }
        if let size = try section.integer("size", as: UInt32.self) { config.frameSize = size }
    }

    static func decodeTenant(_ section: TOMLSection) throws(ConfigError) -> TenantConfig {
        try section.rejectUnknownKeys(known: tenantKeys)
        guard let name = try section.string("name") else {
            throw section.error("name", "missing: every [[tenant]] needs a name")
        }
        guard let quota = try section.integer("frame_quota", as: UInt32.self) else {
            throw section.error("frame_quota", "missing: every [[tenant]] needs a frame_quota")
        }
        return TenantConfig(
            name: name,
            uids: try section.integers("uids", as: UInt32.self) ?? [],
            gids: try section.integers("gids", as: UInt32.self) ?? [],
            frameQuota: quota,
            addresses: try decodeAddresses(section),
            ports: try decodePortShares(section),
            guaranteedFrames: try section.integer("guaranteed_frames", as: UInt32.self) ?? 0)
    }
}
