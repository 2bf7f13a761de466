// What a scrape reads: the same bookkeeping `exoctl status`, `tenants`, `stats` and `nic` answer
// from, copied into a MetricsSnapshot on the loop thread when /metrics is asked for.

import ExoCore
import ExoWire

/// Reads one daemon's counters. Made for one scrape, on the loop thread.
struct MetricsSnapshotReader {
    let daemon: Daemon

    init(_ daemon: Daemon) { self.daemon = daemon }

    /// The counters now.
    func snapshot() -> MetricsSnapshot {
        let plane = daemon.plane, dataPlane = daemon.dataPlane
        let tallies = dataPlane.impairment.traffic.tallies
        let rings = ringDepths()
        let tenants = plane.roster.tenants.map { id, tenant -> MetricsSnapshot.Tenant in
            let held = plane.arbiter.usage(of: id)
            let counters = dataPlane.state.counters[Int(id)]
            var impairment: [(direction: String, event: String, count: UInt64)] = []
            for way in ImpairmentWay.allCases {
                for event in ImpairmentEvent.allCases {
                    impairment.append((way.prefix, event.name, tallies.count(of: event, way, tenant: id)))
                }
            }
            return MetricsSnapshot.Tenant(
                name: tenant.name, framesHeld: held.framesHeld, frameQuota: tenant.frameQuota, sessions: held.sessions,
                rxPackets: counters.rxPackets, rxBytes: counters.rxBytes, txPackets: counters.txPackets,
                txBytes: counters.txBytes,
                drops: zip(TenantCounters.names, counters.drops).map { (reason: $0, count: $1) },
                impairment: impairment, resources: daemon.accounting.usage(of: id),
                rings: RingKind.allCases.map { kind in
                    let depth = rings[id]?[Int(kind.rawValue)] ?? (entries: 0, slots: 0)
                    return (String(describing: kind), depth.entries, depth.slots)
                })
        }
        return MetricsSnapshot(
            status: plane.status(sessions: daemon.sessions.count), tenants: tenants, nic: dataPlane.nic?.info(),
            revocations: plane.revoker.book.tally, revocationsPending: plane.revoker.book.count,
            control: daemon.connections.requestTally)
    }

    /// Per tenant, per ring kind (by raw value): entries queued and slots, summed over the
    /// tenant's data paths. Read from the rings' shared indices now, not counted on the way.
    private func ringDepths() -> [TenantID: [(entries: UInt64, slots: UInt64)]] {
        var depths: [TenantID: [(entries: UInt64, slots: UInt64)]] = [:]
        for path in daemon.dataPlane.state.paths.values {
            var sums = depths[path.tenant] ?? Array(repeating: (0, 0), count: RingKind.allCases.count)
            for kind in RingKind.allCases {
                sums[Int(kind.rawValue)].entries += UInt64(path.reportedEntries(on: kind))
                sums[Int(kind.rawValue)].slots += UInt64(path.layout.ring(kind).capacity)
            }
            depths[path.tenant] = sums
        }
        return depths
    }
}
