// The daemon's configuration as plain values: what `ConfigLoader` produces from the TOML file
// and what `ConfigValidator` checks. No parsing and no policy here.

import ExoCore
import ExoWire
import ExoPacket
import Logging

/// Who may use `exoctl` besides root: members of one group, named or numeric.
public enum OperatorGroup: Sendable, Equatable, CustomStringConvertible {
    /// A group name, resolved to a gid by the caller at start-up (e.g. with `getgrnam`).
    case name(String)
    /// A numeric gid, used as is.
    case gid(UInt32)

    public var description: String {
        switch self {
        case .name(let name): return name
        case .gid(let gid): return String(gid)
        }
    }
}

/// One tenant the daemon will accept: which processes may attach as it, and how many frames it
/// may hold at once.
public struct TenantConfig: Sendable, Equatable {
    /// `[a-z0-9_-]{1,32}`, unique within the configuration.
    public var name: String
    /// Peer uids (from `SO_PEERCRED`) that attach as this tenant.
    public var uids: [UInt32]
    /// Peer primary gids that attach as this tenant.
    public var gids: [UInt32]
    /// Most frames this tenant may hold at once; at most `DaemonConfig.frameCount`.
    public var frameQuota: UInt32
    /// Addresses this tenant owns whole (`addresses`); each gets a generated MAC.
    public var addresses: [IPv4Address]
    /// Port ranges of addresses shared by port (`ports`, "udp 10.77.0.10 5000-5099").
    public var ports: [PortShare]
    /// Frames no revocation asks back or takes (`guaranteed_frames`, 0 to `frameQuota`).
    public var guaranteedFrames: UInt32

    public init(
        name: String, uids: [UInt32], gids: [UInt32] = [], frameQuota: UInt32, addresses: [IPv4Address] = [],
        ports: [PortShare] = [], guaranteedFrames: UInt32 = 0
    ) {
        self.guaranteedFrames = guaranteedFrames
        self.name = name
        self.uids = uids
        self.gids = gids
        self.frameQuota = frameQuota
        self.addresses = addresses
        self.ports = ports
    }
}

/// Everything `exokerneld` reads from its configuration file. Values are as written; run
/// `ConfigValidator.check` before using them.
public struct DaemonConfig: Sendable, Equatable {
    /// Where the control socket is bound (`daemon.socket`); see `withSocketOverride(from:)`.
    public var socketPath: String
    /// Group whose members may use `exoctl` (`daemon.operator_group`); `nil`: root only.
    public var operatorGroup: OperatorGroup?
    /// Global cap on open control connections (`daemon.max_connections`).
    public var maxConnections: Int
    /// Cap on open control connections per peer uid (`daemon.max_connections_per_uid`).
    public var maxConnectionsPerUID: Int
    /// How long a new connection may take to send its hello (`daemon.handshake_timeout_ms`).
    public var handshakeTimeoutMilliseconds: Int
    /// Replies and events queued for a session that does not read, before it is disconnected
    /// (`daemon.outbound_queue_limit`).
    public var outboundQueueLimit: Int
    /// TEST ONLY: lets uid 0 attach as a tenant (`daemon.allow_root_tenants`).
    public var allowRootTenants: Bool
    /// The least severe log lines written (`daemon.log_level`; `exokerneld --log-level` wins).
    public var logLevel: Logger.Level = .info
    /// Frames in the pool (`frames.count`).
    public var frameCount: UInt32
    /// Bytes per frame (`frames.size`).
    public var frameSize: UInt32
    /// Per-tenant bounds on daemon state (`[limits]`), the same for every tenant.
    public var limits: TenantLimits
    /// The configured tenants; a tenant's index in this array is its `TenantID`.
    public var tenants: [TenantConfig]
    /// The NIC (`[nic]`); nil: no data path, `openDataPath` is refused.
    public var nic: NicConfig?
    /// Faults injected between the NIC and the tenants from start-up (`[impairment]`).
    public var impairment = ImpairmentConfig()
    /// The Prometheus endpoint (`[metrics]`); nil: none.
    public var metrics: MetricsConfig?

    /// The socket path used when the file names none.
    public static let defaultSocketPath = "/run/exokernel/exokerneld.sock"

    /// A configuration with every key at its documented default and no tenants.
    public init(
        socketPath: String = DaemonConfig.defaultSocketPath,
        operatorGroup: OperatorGroup? = nil,
        maxConnections: Int = 256,
        maxConnectionsPerUID: Int = 32,
        handshakeTimeoutMilliseconds: Int = 2000,
        outboundQueueLimit: Int = 64,
        allowRootTenants: Bool = false,
        frameCount: UInt32 = 4096,
        frameSize: UInt32 = 4096,
        limits: TenantLimits = .defaults,
        tenants: [TenantConfig] = [],
        nic: NicConfig? = nil
    ) {
        self.socketPath = socketPath
        self.operatorGroup = operatorGroup
        self.maxConnections = maxConnections
        self.maxConnectionsPerUID = maxConnectionsPerUID
        self.handshakeTimeoutMilliseconds = handshakeTimeoutMilliseconds
        self.outboundQueueLimit = outboundQueueLimit
        self.allowRootTenants = allowRootTenants
        self.frameCount = frameCount
        self.frameSize = frameSize
        self.limits = limits
        self.tenants = tenants
        self.nic = nic
    }

    /// The tenant with this id, if configured.
    public func tenant(_ id: TenantID) -> TenantConfig? {
        let index = Int(id)
        return tenants.indices.contains(index) ? tenants[index] : nil
    }
}

extension TenantSpec {
    /// The arbiter's view of a configured tenant: its quota, floor and the daemon's limits.
    init(config tenant: TenantConfig, id: TenantID, limits: TenantLimits) {
        self.init(id: id, name: tenant.name, frameQuota: tenant.frameQuota, limits: limits,
            guaranteedFrames: tenant.guaranteedFrames)
    }
}
