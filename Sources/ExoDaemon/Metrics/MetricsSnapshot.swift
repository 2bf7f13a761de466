// What one scrape reports: the counters the daemon keeps anyway (the ones `exoctl status`,
// `tenants`, `stats` and `nic` show), copied out when /metrics is asked for. Nothing on the
// packet path counts anything for metrics; this is read at scrape time only.

import ExoCore
import ExoWire

/// The daemon's counters at one instant, with every name already in its metric form.
struct MetricsSnapshot: Equatable {
    /// One tenant's counters and state.
    struct Tenant: Equatable {
        var name: String
        var framesHeld: UInt32
        var frameQuota: UInt32
        var sessions: UInt32
        var rxPackets: UInt64
        var rxBytes: UInt64
        var txPackets: UInt64
        var txBytes: UInt64
        /// Every drop reason `exoctl stats` may list (the impairment's aside), zeros included,
        /// so a series exists before its first drop.
        var drops: [(reason: String, count: UInt64)]
        /// What the impairment did, by direction ("rx": to the tenant, "tx": from it) and event.
        var impairment: [(direction: String, event: String, count: UInt64)]
        /// Every resource `exoctl tenants` shows: use, limit, refusals.
        var resources: [ResourceUsage]
        /// Each ring kind of its sessions' data paths, summed over them: entries queued now
        /// and slots (every kind, zeros when no data path is open).
        var rings: [(ring: String, entries: UInt64, slots: UInt64)] = []

        static func == (a: Tenant, b: Tenant) -> Bool {
            a.name == b.name && a.framesHeld == b.framesHeld && a.frameQuota == b.frameQuota
                && a.sessions == b.sessions && a.rxPackets == b.rxPackets && a.rxBytes == b.rxBytes
                && a.txPackets == b.txPackets && a.txBytes == b.txBytes && a.resources == b.resources
                && a.drops.elementsEqual(b.drops) { $0 == $1 }
                && a.impairment.elementsEqual(b.impairment) { $0 == $1 }
                && a.rings.elementsEqual(b.rings) { $0 == $1 }
        }
    }

    var status: StatusInfo
    var tenants: [Tenant]
    /// Nil when the daemon has no `[nic]`.
    var nic: NicInfo?
    /// Revocations started and ended so far, and how many are pending now.
    var revocations = RevocationTally()
    var revocationsPending = 0
    /// Control records served so far.
    var control = ControlRequestTally()
}
