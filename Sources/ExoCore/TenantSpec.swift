// Tenants as the arbiter sees them: a configured identity with a frame quota, and the
// per-tenant usage figures that `exoctl` reports.
import ExoWire

/// One configured tenant. Quotas belong to tenants; holdings belong to their sessions.
public struct TenantSpec: Sendable, Equatable {
    /// The tenant's id (its index in the configuration); unique within one arbiter.
    public var id: TenantID
    /// The tenant's configured name; unique within one arbiter.
    public var name: String
    /// The most holdings all sessions of this tenant may have at once.
    public var frameQuota: UInt32
    /// Bounds on the other daemon state the tenant may cause (tokens and offers here).
    public var limits: TenantLimits
    /// Frames no revocation asks back or takes (the configured `guaranteed_frames`; the
    /// tenant's ring region is not frames and is never revoked either).
    public var guaranteedFrames: UInt32

    public init(
        id: TenantID, name: String, frameQuota: UInt32, limits: TenantLimits = .defaults, guaranteedFrames: UInt32 = 0
    ) {
        self.id = id
        self.name = name
        self.frameQuota = frameQuota
        self.limits = limits
        self.guaranteedFrames = guaranteedFrames
    }
}

/// What a tenant uses right now.
public struct TenantUsage: Sendable, Equatable {
    /// Holdings of all the tenant's sessions (the figure the quota limits).
    public var framesHeld: UInt32
    /// Open sessions of the tenant.
    public var sessions: UInt32

    public init(framesHeld: UInt32, sessions: UInt32) {
        self.framesHeld = framesHeld
        self.sessions = sessions
    }
}
