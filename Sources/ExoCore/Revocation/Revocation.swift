// Visible revocation (Engler et al., SOSP'95, §3.4): the daemon asks a tenant to give frames
// back by a deadline and lets it choose which; past the deadline the abort protocol takes
// them. This is what one such request is.
import ExoWire

/// Identifies one revocation within a daemon run; ids start at 1 and are never reused.
public typealias RevocationID = UInt64

/// Why a tenant is asked to give frames back (its value on the wire).
public enum RevocationReason: UInt16, Sendable, CaseIterable {
    /// Free frames fell below the pool's low-water mark.
    case poolLow = 1
    /// An operator asked (`exoctl revoke`).
    case operatorRequest = 2
    /// A reloaded configuration shrank the tenant's quota.
    case quotaReduced = 3
    /// The tenant that granted a frame took the grant back.
    case grantRevoked = 4
}

/// One request to a tenant to give frames back by a deadline.
///
/// A *count* revocation (every reason but `grantRevoked`) is met when the tenant holds at
/// most `target` frames, whichever it chose to give back; a *grant* revocation names the
/// holdings that must end. Deadlines are on the daemon's monotonic clock, in nanoseconds.
public struct Revocation: Sendable, Equatable {
    public let id: RevocationID
    public let tenant: TenantID
    public let reason: RevocationReason
    /// The most frames the tenant may hold once it has complied (count revocations).
    public var target: UInt32
    /// The holdings that must end (grant revocations); empty for a count revocation.
    public let holdings: [HoldingID]
    /// Their frames, in the same order (whose memory moves once the holdings end).
    public let frames: [FrameNumber]
    /// When the abort protocol takes what was not given back.
    public var deadline: UInt64

    public init(
        id: RevocationID, tenant: TenantID, reason: RevocationReason, target: UInt32, holdings: [HoldingID],
        frames: [FrameNumber] = [], deadline: UInt64
    ) {
        self.frames = frames
        self.id = id
        self.tenant = tenant
        self.reason = reason
        self.target = target
        self.holdings = holdings
        self.deadline = deadline
    }

    /// True for a revocation of named holdings (a revoked grant), false for a count.
    public var isGrant: Bool { reason == .grantRevoked }
}
