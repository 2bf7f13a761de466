// Decides whether a decoded configuration may run: ranges, names, tenant identities and the
// host's limits. Pure: errors refuse start-up, warnings are printed; nothing is changed.

/// Checks a `DaemonConfig` against the rules every key documents in `config/exokerneld.toml`.
public enum ConfigValidator {
    /// Descriptors the daemon keeps for itself beyond frames and connections (epoll, timers,
    /// signals, the listening socket, NIC, logs).
    public static let reservedDescriptors: UInt64 = 64
    /// Smallest MTU an IPv4 link may have (RFC 791).
    public static let minimumMTU: UInt32 = 68
    /// Bytes of an Ethernet II header, which a frame holds besides the MTU's packet.
    public static let ethernetHeaderBytes: UInt32 = 14
    /// Mappings the process needs beyond one per frame (binary, libraries, heap, stacks, rings).
    public static let reservedMappings = 1024
    /// Frames are whole pages; a frame size must be a multiple of this.
    public static let pageSize: UInt32 = 4096
    /// Largest frame: one 2 MiB huge page.
    public static let maximumFrameSize: UInt32 = 2 << 20
    /// Largest pool the file may ask for (host limits usually cap it far lower).
    public static let maximumFrameCount: UInt32 = 1 << 24
    /// Longest socket path: `sun_path` holds 108 bytes including the terminating NUL.
    public static let maximumSocketPathBytes = 107

    /// Errors (refuse to start) and warnings (print and go on). Every error names `file` and a
    /// key path; an empty `errors` means the daemon may start with `c` on a host with `limits`.
    /// `nicFacts` describes the interface of a packet-backend `[nic]` (`NicHostFacts.read`).
    public static func check(_ c: DaemonConfig, file: String, limits: HostLimits, nicFacts: NicHostFacts? = nil) -> (
        errors: [ConfigError], warnings: [String]
    ) {
        var findings = Findings(file: file)
        checkDaemon(c, &findings)
        checkFrames(c, &findings)
        TenantConfigCheck.checkTenants(c, daemonUID: limits.daemonUID, &findings)
        checkLimits(c, &findings)
        NetworkConfigCheck.checkNetwork(c, &findings)
        ImpairmentConfigCheck.checkImpairment(c, &findings)
        checkMetrics(c, &findings)
        if let nicFacts { PacketNicConfigCheck.checkPacketNic(c, facts: nicFacts, &findings) }
        HostConfigCheck.checkHost(c, limits: limits, &findings)
        checkDescriptorsInFlight(c, limits: limits, &findings)
        return (findings.errors, findings.warnings)
    }

    static func checkDaemon(_ c: DaemonConfig, _ findings: inout Findings) {
        checkSocketPath(c.socketPath, key: "daemon.socket", &findings)
        if let group = c.operatorGroup { checkOperatorGroup(group, &findings) }
        let connectionRange = 1...65536
        findings.require(c.maxConnections, in: connectionRange, key: "daemon.max_connections")
        // Bounded by max_connections only when that is itself valid: one mistake, one error.
        if connectionRange.contains(c.maxConnections) {
            findings.require(
                c.maxConnectionsPerUID, in: 1...c.maxConnections, key: "daemon.max_connections_per_uid",
                bound: "daemon.max_connections")
        } else {
            findings.require(c.maxConnectionsPerUID, in: connectionRange, key: "daemon.max_connections_per_uid")
        }
        findings.require(c.handshakeTimeoutMilliseconds, in: 10...60_000, key: "daemon.handshake_timeout_ms")
        findings.require(c.outboundQueueLimit, in: 1...65536, key: "daemon.outbound_queue_limit")
        if c.allowRootTenants {
            findings.warn(
                "daemon.allow_root_tenants",
                "TEST ONLY: uid 0 may attach as a tenant; root can reach every tenant's memory")
        }
    }

    static func checkSocketPath(_ path: String, key: String, _ findings: inout Findings) {
        let bytes = path.utf8.count
        if !path.hasPrefix("/") {
            findings.error(key, "'\(path)' must be an absolute path")
        } else if path.utf8.contains(0) {
            findings.error(key, "must not contain a NUL character")
        } else if bytes > maximumSocketPathBytes {
            findings.error(
                key, "is \(bytes) bytes long; a Unix socket path holds at most \(maximumSocketPathBytes)")
        }
    }

    static func checkOperatorGroup(_ group: OperatorGroup, _ findings: inout Findings) {
        let key = "daemon.operator_group"
        switch group {
        case .gid(let gid):
            if gid == UInt32.max { findings.error(key, "\(gid) is (gid_t)-1, not a gid") }
        case .name(let name):
            if !isGroupName(name) {
                findings.error(
                    key,
                    "'\(name)' is not a group name (letters, digits, '_', '.', '-', not starting with '-', 1 to 32 characters)"
                )
            }
        }
    }

    /// Portable group names as `groupadd` accepts them.
    static func isGroupName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...32).contains(bytes.count), bytes[0] != UInt8(ascii: "-") else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
                return true
            default:
                return false
            }
        }
    }

    static func checkFrames(_ c: DaemonConfig, _ findings: inout Findings) {
        findings.require(Int(c.frameCount), in: 1...Int(maximumFrameCount), key: "frames.count")
        if c.frameSize < pageSize || c.frameSize > maximumFrameSize || c.frameSize % pageSize != 0 {
            findings.error(
                "frames.size",
                "\(c.frameSize) is not a multiple of the page size (\(pageSize)) between \(pageSize) and \(maximumFrameSize) (2 MiB)"
            )
        }
    }
}

/// Errors and warnings gathered by one `ConfigValidator.check`.
struct Findings {
    let file: String
    var errors: [ConfigError] = []
    var warnings: [String] = []

    init(file: String) { self.file = file }

    mutating func error(_ key: String, _ message: String) {
        errors.append(ConfigError(file: file, key: key, message: message))
    }

    /// Warnings read like errors: `FILE: KEY: MESSAGE`.
    mutating func warn(_ key: String, _ message: String) {
        warnings.append(ConfigError(file: file, key: key, message: message).description)
    }

    /// An error "must be between LOW and HIGH" unless `value` is in `range`; `bound` names
    /// the key the upper bound comes from, when it is another key.
    mutating func require(_ value: Int, in range: ClosedRange<Int>, key: String, bound: String? = nil) {
        guard !range.contains(value) else { return }
        let upper = bound.map { "\($0) (\(range.upperBound))" } ?? String(range.upperBound)
        error(key, "\(value) is out of range: must be between \(range.lowerBound) and \(upper)")
    }
}
