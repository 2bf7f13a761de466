// Every metric the endpoint exports, declared once: name, kind and help text. Names follow
// Prometheus's conventions: the exokernel_ prefix, base units in the name (_bytes, _seconds),
// _total on counters. docs/METRICS.md lists them with their labels.

import Prometheus

/// One metric family.
struct MetricFamily: Sendable, Equatable {
    enum Kind: Sendable { case counter, gauge, histogram }
    let name: String
    let kind: Kind
    let help: String

    /// The word of its `# TYPE` line (and of its row in docs/METRICS.md).
    var typeName: String {
        switch kind {
        case .counter: "counter"
        case .gauge: "gauge"
        case .histogram: "histogram"
        }
    }

    /// The registry's form of the name and help (no namespace or unit parts: `name` is whole).
    var descriptor: MetricNameDescriptor { MetricNameDescriptor(metricName: name, unitName: "", helpText: help) }

    static func counter(_ name: String, _ help: String) -> MetricFamily { MetricFamily(name: name, kind: .counter, help: help) }
    static func gauge(_ name: String, _ help: String) -> MetricFamily { MetricFamily(name: name, kind: .gauge, help: help) }
}

extension MetricFamily {
    // The daemon ({version} on build_info only).
    static let buildInfo = gauge("exokernel_build_info", "Always 1; the version label is the running exokerneld's release.")
    static let uptime = gauge("exokernel_uptime_seconds", "Seconds since the daemon started.")
    static let poolFrames = gauge("exokernel_pool_frames", "Frames in the pool.")
    static let poolFreeFrames = gauge("exokernel_pool_free_frames", "Frames of the pool that nobody holds.")
    static let frameSize = gauge("exokernel_frame_size_bytes", "Bytes per frame.")
    static let tenantsConfigured = gauge("exokernel_tenants", "Tenants in the configuration.")
    static let sessions = gauge("exokernel_sessions", "Control sessions open (tenants' and operators').")
    static let holdings = gauge("exokernel_holdings", "Frame holdings of every tenant.")
    static let outstandingTokens = gauge("exokernel_outstanding_tokens", "Capability tokens issued and not yet redeemed or ended.")

    // Per tenant ({tenant}).
    static let tenantFramesHeld = gauge("exokernel_tenant_frames_held", "Frames the tenant holds.")
    static let tenantFrameQuota = gauge("exokernel_tenant_frame_quota", "Frames the tenant may hold.")
    static let tenantSessions = gauge("exokernel_tenant_sessions", "The tenant's attached sessions.")
    static let tenantRxPackets = counter("exokernel_tenant_rx_packets_total", "Packets delivered onto the tenant's rx rings.")
    static let tenantRxBytes = counter("exokernel_tenant_rx_bytes_total", "Bytes delivered onto the tenant's rx rings.")
    static let tenantTxPackets = counter("exokernel_tenant_tx_packets_total", "Packets the tenant sent that reached the NIC or another tenant.")
    static let tenantTxBytes = counter("exokernel_tenant_tx_bytes_total", "Bytes the tenant sent that reached the NIC or another tenant.")
    // {tenant, reason}: exoctl stats's drop names (docs/EXOCTL.md).
    static let tenantDrops = counter("exokernel_tenant_drops_total", "The tenant's packets and descriptors dropped, by reason.")
    // {tenant, direction, event}: rx is to the tenant, tx from it.
    static let tenantImpairment = counter("exokernel_tenant_impairment_events_total", "What the configured impairment did to the tenant's traffic, by direction and event.")
    // {tenant, resource}: exoctl tenants's resources (docs/SECURITY.md).
    static let tenantResourceInUse = gauge("exokernel_tenant_resource_in_use", "Daemon state the tenant holds now, by resource.")
    static let tenantResourceLimit = gauge("exokernel_tenant_resource_limit", "The tenant's limit, by resource.")
    static let tenantResourceRefusals = counter("exokernel_tenant_resource_refusals_total", "Requests refused (or reports coalesced, datagrams evicted) at the tenant's limit, by resource.")
    // {tenant, ring}: fill, rx, tx, completion, summed over the tenant's data paths.
    static let tenantRingEntries = gauge("exokernel_tenant_ring_entries", "Descriptors queued on the tenant's rings now (published, not yet consumed), by ring.")
    static let tenantRingSlots = gauge("exokernel_tenant_ring_slots", "Slots of the tenant's rings, by ring.")

    // Revocation (docs/PROTOCOL.md §12). {reason}: poolLow, operatorRequest, quotaReduced,
    // grantRevoked; {outcome}: returned, repossessed, tenantGone.
    static let revocationsStarted = counter("exokernel_revocations_started_total", "Revocations started, by reason (a pending one tightened is not started again).")
    static let revocationsEnded = counter("exokernel_revocations_ended_total", "Revocations ended, by outcome: given back, taken over at the deadline, or the tenant gone.")
    static let revocationsPending = gauge("exokernel_revocations_pending", "Revocations waiting for their tenant or their deadline.")
    static let revocationFramesRepossessed = counter("exokernel_revocation_frames_repossessed_total", "Frame holdings the abort protocol took, at a deadline or as the frame came back from a ring.")

    // Control requests ({kind}: the request's name in docs/PROTOCOL.md, or malformed;
    // {outcome}: ok, error).
    static let controlRequests = counter("exokernel_control_requests_total", "Control records served, by request kind and outcome (an error reply is an error).")
    static let controlRequestDuration = MetricFamily(
        name: "exokernel_control_request_duration_seconds", kind: .histogram,
        help: "Time the loop spent reading, dispatching and answering one control record, by request kind.")

    // The NIC ({nic}, the interface's name).
    static let nicUp = gauge("exokernel_nic_up", "1 when the link is administratively up.")
    static let nicRunning = gauge("exokernel_nic_running", "1 when the link is running (carrier).")
    static let nicMTU = gauge("exokernel_nic_mtu_bytes", "The link's MTU.")
    static let nicRxPackets = counter("exokernel_nic_rx_packets_total", "Frames the daemon read from the device.")
    static let nicRxBytes = counter("exokernel_nic_rx_bytes_total", "Bytes the daemon read from the device.")
    static let nicTxPackets = counter("exokernel_nic_tx_packets_total", "Frames the daemon wrote to the device.")
    static let nicTxBytes = counter("exokernel_nic_tx_bytes_total", "Bytes the daemon wrote to the device.")
    // {nic, reason}: exoctl nic's drop names; only reasons seen so far appear.
    static let nicDrops = counter("exokernel_nic_drops_total", "Received frames no tenant got, by reason.")
    static let nicLinkDown = counter("exokernel_nic_link_down_events_total", "Times the link went down or was deleted under the daemon.")
    static let nicMTUChanges = counter("exokernel_nic_mtu_changes_total", "Times the link's MTU changed under the daemon.")
    static let nicReattachments = counter("exokernel_nic_reattachments_total", "Times a deleted link was reopened in place (nic.on_link_loss = \"reattach\").")

    /// Every family a snapshot renders into (the endpoint's own two aside). The control
    /// requests' histogram is rendered by `ControlHistogramText`, the rest by the registry.
    static let all: [MetricFamily] = [
        buildInfo, uptime, poolFrames, poolFreeFrames, frameSize, tenantsConfigured, sessions, holdings,
        outstandingTokens, tenantFramesHeld, tenantFrameQuota, tenantSessions, tenantRxPackets, tenantRxBytes,
        tenantTxPackets, tenantTxBytes, tenantDrops, tenantImpairment, tenantResourceInUse, tenantResourceLimit,
        tenantResourceRefusals, nicUp, nicRunning, nicMTU, nicRxPackets, nicRxBytes, nicTxPackets, nicTxBytes,
        nicDrops, nicLinkDown, nicMTUChanges, nicReattachments, tenantRingEntries, tenantRingSlots,
        revocationsStarted, revocationsEnded, revocationsPending, revocationFramesRepossessed, controlRequests,
        controlRequestDuration,
    ]

    // The endpoint's own, counted as it serves: requests by HTTP status ({code}), and how long
    // reading the counters and rendering them took.
    static let httpRequests = counter("exokernel_metrics_http_requests_total", "Requests the metrics endpoint answered, by HTTP status.")
    static let scrapeDuration = MetricFamily(
        name: "exokernel_metrics_scrape_duration_seconds", kind: .histogram,
        help: "Time the daemon's loop spent reading its counters and rendering a scrape.")
    static let scrapeDurationBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2500),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
    ]
}
