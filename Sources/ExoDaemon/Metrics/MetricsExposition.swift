// Renders a MetricsSnapshot in the Prometheus text format through swift-prometheus's registry.
// The daemon's counters are read at scrape time, so the registry's counters are brought up to
// them here (incremented by what changed since the last scrape, or reset and set when a counter
// went back, as a removed and re-added tenant's does); series that a snapshot no longer has (a
// tenant a reload removed) are unregistered. The packet path never touches the registry.

import ExoCore
import ExoWire
import Prometheus

/// The registry and what it was last told. Owned by the daemon's loop thread.
final class MetricsExposition {
    let registry = PrometheusCollectorRegistry()
    private struct SeriesKey: Hashable {
        var name: String
        var labels: [String]
    }
    private var counters: [SeriesKey: (counter: Prometheus.Counter, published: UInt64)] = [:]
    private var gauges: [SeriesKey: Prometheus.Gauge] = [:]
    /// The series the snapshot being rendered has set.
    private var seen: Set<SeriesKey> = []

    /// The text format of `snapshot` and of the endpoint's own metrics.
    func render(_ snapshot: MetricsSnapshot) -> [UInt8] {
        seen.removeAll(keepingCapacity: true)
        record(snapshot)
        for (key, entry) in counters where !seen.contains(key) {
            registry.unregisterCounter(entry.counter)
            counters[key] = nil
        }
        for (key, gauge) in gauges where !seen.contains(key) {
            registry.unregisterGauge(gauge)
            gauges[key] = nil
        }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 * 1024)
        registry.emit(into: &buffer)
        ControlHistogramText.append(snapshot.control, to: &buffer)
        return buffer
    }

    private func record(_ s: MetricsSnapshot) {
        set(.buildInfo, ["version": s.status.daemonVersion], 1)
        set(.uptime, [:], Double(s.status.uptimeSeconds))
        set(.poolFrames, [:], Double(s.status.poolFrames))
        set(.poolFreeFrames, [:], Double(s.status.freeFrames))
        set(.frameSize, [:], Double(s.status.frameSize))
        set(.tenantsConfigured, [:], Double(s.status.tenantsConfigured))
        set(.sessions, [:], Double(s.status.sessions))
        set(.holdings, [:], Double(s.status.holdings))
        set(.outstandingTokens, [:], Double(s.status.outstandingTokens))
        for tenant in s.tenants { record(tenant) }
        if let nic = s.nic { record(nic) }
        record(s.revocations, pending: s.revocationsPending)
        record(s.control)
    }

    private func record(_ tally: RevocationTally, pending: Int) {
        for reason in RevocationReason.allCases {
            count(.revocationsStarted, ["reason": reason.name], tally.started(reason))
        }
        for ending in RevocationTally.Ending.allCases {
            count(.revocationsEnded, ["outcome": ending.name], tally.ended(ending))
        }
        set(.revocationsPending, [:], Double(pending))
        count(.revocationFramesRepossessed, [:], tally.holdingsRepossessed)
    }

    /// Every kind with both outcomes, zeros included (the histogram is ControlHistogramText's).
    private func record(_ tally: ControlRequestTally) {
        for slot in 0..<ControlRequestTally.slotCount {
            let kind = ControlRequestTally.label(of: slot)
            count(.controlRequests, ["kind": kind, "outcome": "ok"], tally.count(slot: slot, failed: false))
            count(.controlRequests, ["kind": kind, "outcome": "error"], tally.count(slot: slot, failed: true))
        }
    }

    private func record(_ t: MetricsSnapshot.Tenant) {
        let who = ["tenant": t.name]
        set(.tenantFramesHeld, who, Double(t.framesHeld))
        set(.tenantFrameQuota, who, Double(t.frameQuota))
        set(.tenantSessions, who, Double(t.sessions))
        count(.tenantRxPackets, who, t.rxPackets)
        count(.tenantRxBytes, who, t.rxBytes)
        count(.tenantTxPackets, who, t.txPackets)
        count(.tenantTxBytes, who, t.txBytes)
        for drop in t.drops { count(.tenantDrops, ["tenant": t.name, "reason": drop.reason], drop.count) }
        for event in t.impairment {
            count(.tenantImpairment, ["tenant": t.name, "direction": event.direction, "event": event.event], event.count)
        }
        for resource in t.resources {
            let labels = ["tenant": t.name, "resource": resource.resource]
            set(.tenantResourceInUse, labels, Double(resource.used))
            set(.tenantResourceLimit, labels, Double(resource.limit))
            count(.tenantResourceRefusals, labels, resource.refused)
        }
        for ring in t.rings {
            let labels = ["tenant": t.name, "ring": ring.ring]
            set(.tenantRingEntries, labels, Double(ring.entries))
            set(.tenantRingSlots, labels, Double(ring.slots))
        }
    }

    private func record(_ nic: NicInfo) {
        let which = ["nic": nic.name]
        set(.nicUp, which, nic.isUp ? 1 : 0)
        set(.nicRunning, which, nic.isRunning ? 1 : 0)
        set(.nicMTU, which, Double(nic.mtu))
        count(.nicRxPackets, which, nic.rxPackets)
        count(.nicRxBytes, which, nic.rxBytes)
        count(.nicTxPackets, which, nic.txPackets)
        count(.nicTxBytes, which, nic.txBytes)
        for drop in nic.dropReasons { count(.nicDrops, ["nic": nic.name, "reason": drop.reason], drop.count) }
        count(.nicLinkDown, which, nic.linkDownEvents)
        count(.nicMTUChanges, which, nic.mtuChanges)
        count(.nicReattachments, which, nic.reattachments)
    }

    // MARK: the registry

    /// Brings the counter series up to `value`.
    private func count(_ family: MetricFamily, _ labels: [String: String], _ value: UInt64) {
        precondition(family.kind == .counter, "\(family.name) is not a counter")
        let (key, pairs) = Self.series(family, labels)
        seen.insert(key)
        var entry = counters[key] ?? (registry.makeCounter(descriptor: family.descriptor, labels: pairs), 0)
        if value < entry.published {
            // The daemon's counter started again from zero: so does the series (Prometheus's
            // rate() reads a drop as a reset).
            entry.counter.reset()
            entry.published = 0
        }
        entry.counter.increment(by: Int64(clamping: value - entry.published))
        entry.published = value
        counters[key] = entry
    }

    private func set(_ family: MetricFamily, _ labels: [String: String], _ value: Double) {
        precondition(family.kind == .gauge, "\(family.name) is not a gauge")
        let (key, pairs) = Self.series(family, labels)
        seen.insert(key)
        let gauge = gauges[key] ?? registry.makeGauge(descriptor: family.descriptor, labels: pairs)
        gauge.set(to: value)
        gauges[key] = gauge
    }

    /// The series' key and its labels in name order (swift-prometheus escapes the values).
    private static func series(_ family: MetricFamily, _ labels: [String: String]) -> (SeriesKey, [(String, String)]) {
        let pairs = labels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return (SeriesKey(name: family.name, labels: pairs.flatMap { [$0.0, $0.1] }), pairs)
    }
}
