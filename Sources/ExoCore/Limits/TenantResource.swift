// The kinds of daemon state charged to a tenant, each with a stable name for exoctl and the
// wire, and one figure of use against its limit.
import ExoWire

/// A kind of daemon state a tenant causes and is charged for.
public enum TenantResource: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// Outstanding tokens the tenant issued (`limits.tokens_issued`; refusal `tokenLimit`).
    case tokensIssued
    /// Outstanding offers addressed to the tenant (`limits.offers_received`; `offerLimit`).
    case offersReceived
    /// Attached control sessions (`limits.sessions`; `sessionLimit`, which closes).
    case sessions
    /// Frames held (the tenant's `frame_quota`; `overQuota`).
    case frames
    /// Data-path bindings (`limits.bindings`; `bindingLimit`).
    case bindings
    /// Installed filters (`limits.filters`; `filterLimit`).
    case filters
    /// Captures of the tenant (`limits.captures`; `tooManyCaptures`).
    case captures
    /// Partial datagrams reassembled on the tenant's account (`limits.reassembly_datagrams`;
    /// over it, the tenant's own oldest datagram is evicted, counted as `reassembly.evicted`).
    case reassemblyDatagrams
    /// Records queued for the tenant's sessions (`daemon.outbound_queue_limit` per session).
    case queuedRecords
    /// Data-path fault reports sent this second to the tenant's sessions
    /// (`limits.fault_reports_per_second` per session; the rest are coalesced and counted).
    case faultReports
    /// Descriptors in replies not yet read (`limits.descriptors_in_flight`; `descriptorLimit`).
    case descriptorsInFlight

    /// Stable name (exoctl, `--json`, the wire's `ResourceUsage.resource`).
    public var name: String {
        switch self {
        case .tokensIssued: "tokensIssued"
        case .offersReceived: "offersReceived"
        case .sessions: "sessions"
        case .frames: "frames"
        case .bindings: "bindings"
        case .filters: "filters"
        case .captures: "captures"
        case .reassemblyDatagrams: "reassemblyDatagrams"
        case .queuedRecords: "queuedRecords"
        case .faultReports: "faultReports"
        case .descriptorsInFlight: "descriptorsInFlight"
        }
    }

    public var description: String { name }
}
