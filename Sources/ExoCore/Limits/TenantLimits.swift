// What one tenant may make the daemon keep: a limit per kind of state it causes (tokens,
// offers, sessions, bindings, filters, captures, reassembly, fault reports). Values only.
import ExoWire

/// Per-tenant bounds on daemon state (`[limits]` in the configuration). Every tenant gets
/// the same values; each is at least 1 (the configuration validator checks ranges).
public struct TenantLimits: Sendable, Equatable {
    /// Outstanding tokens the tenant issued (granted, not yet redeemed or revoked).
    public var tokensIssued: Int
    /// Outstanding offers addressed to the tenant, from all issuers together. One issuer may
    /// hold at most `offerShare(tenants:)` of them, so no issuer can fill them alone.
    public var offersReceived: Int
    /// Attached control sessions of the tenant at once.
    public var sessions: Int
    /// Data-path bindings of all the tenant's sessions.
    public var bindings: Int
    /// Filters installed by all the tenant's sessions.
    public var filters: Int
    /// Captures of the tenant's traffic running at once (operators start them).
    public var captures: Int
    /// Partial datagrams the reassembler holds on the tenant's account.
    public var reassemblyDatagrams: Int
    /// Data-path fault reports sent to one session per second (the rest are coalesced).
    public var faultReportsPerSecond: Int
    /// Frame descriptors in replies the tenant's sessions have not read yet (queued in the
    /// daemon, or sent and still in the socket): each is an open file of the daemon's.
    public var descriptorsInFlight: Int
    /// Packets and bytes a second the tenant may send, and receive, on the data path (0: no
    /// limit); past them packets are dropped (`tx.rateLimited`, `rx.rateLimited`).
    public var txPacketsPerSecond: Int = 0
    public var txBytesPerSecond: Int = 0
    public var rxPacketsPerSecond: Int = 0
    public var rxBytesPerSecond: Int = 0

    public init(
        tokensIssued: Int = 1024, offersReceived: Int = 1024, sessions: Int = 16, bindings: Int = 1024,
        filters: Int = 4096, captures: Int = 2, reassemblyDatagrams: Int = 16, faultReportsPerSecond: Int = 100,
        descriptorsInFlight: Int = 512
    ) {
        self.tokensIssued = tokensIssued
        self.offersReceived = offersReceived
        self.sessions = sessions
        self.bindings = bindings
        self.filters = filters
        self.captures = captures
        self.reassemblyDatagrams = reassemblyDatagrams
        self.faultReportsPerSecond = faultReportsPerSecond
        self.descriptorsInFlight = descriptorsInFlight
    }

    /// The documented defaults.
    public static let defaults = TenantLimits()

    /// Whether any data-path rate is limited (else the data path skips the check).
    public var limitsRates: Bool {
        txPacketsPerSecond > 0 || txBytesPerSecond > 0 || rxPacketsPerSecond > 0 || rxBytesPerSecond > 0
    }

    /// How many of one audience's offers a single issuer may hold: an equal share of
    /// `offersReceived` among the configured tenants (at least 1), so that the other issuers
    /// always keep room to offer the audience something.
    public func offerShare(tenants: Int) -> Int {
        max(1, offersReceived / max(1, tenants))
    }
}
