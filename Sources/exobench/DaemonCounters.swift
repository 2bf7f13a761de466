// Where the exokernel path lost packets: the daemon's own counters (`exoctl nic --json`,
// `exoctl stats --json`) read at the end of the phase, set against what the sender sent.

import Foundation

/// The counters of one exokernel phase (a fresh daemon, so they cover exactly that phase).
struct DaemonCounters {
    /// Frames the kernel counted on the daemon's link towards the daemon (veth: its rx;
    /// TAP: its tx, i.e. what the kernel queued for the TAP's reader).
    var linkPackets: UInt64 = 0
    /// Frames the kernel dropped on that link in that direction.
    var linkDropped: UInt64 = 0
    /// AF_PACKET: frames the kernel dropped because the TPACKET ring had no free block.
    var packetRingFull: UInt64 = 0
    /// Frames the daemon read from the ring or TAP.
    var daemonReceived: UInt64 = 0
    /// The NIC's other drops (demultiplexer and NIC reasons: frames nobody's).
    var otherNicDrops: UInt64 = 0
    /// Frames published on the tenant's rx ring.
    var tenantReceived: UInt64 = 0
    /// Frames for the tenant that found no fill frame.
    var noFillFrame: UInt64 = 0
    /// Frames for the tenant refused by its full rx ring.
    var rxRingFull: UInt64 = 0

    /// Reads both reports through `exoctl` (as root: the operator) from the daemon at `socket`.
    static func read(exoctl: String, socket: String, tenant: String, backend: BenchBackend) throws -> DaemonCounters {
        let nic = try object(runCommand(exoctl, ["nic", "--json", "--socket", socket]))
        let stats = try object(runCommand(exoctl, ["stats", "--json", "--socket", socket]))
        var counters = DaemonCounters()
        let kernel = nic["kernel"] as? [String: Any] ?? [:]
        counters.linkPackets = number(kernel[backend == .packet ? "rxPackets" : "txPackets"])
        counters.linkDropped = number(kernel[backend == .packet ? "rxDropped" : "txDropped"])
        let reasons = nic["dropReasons"] as? [String: Any] ?? [:]
        counters.packetRingFull = number(reasons["rx.ringFull"])
        counters.daemonReceived = number(nic["rxPackets"])
        counters.otherNicDrops = number(nic["drops"]) &- counters.packetRingFull
        let tenants = stats["tenants"] as? [[String: Any]] ?? []
        guard let mine = tenants.first(where: { $0["tenant"] as? String == tenant }) else {
            throw BenchError("exoctl stats has no tenant \(tenant): \(stats)")
        }
        counters.tenantReceived = number(mine["rxPackets"])
        let drops = mine["drops"] as? [String: Any] ?? [:]
        counters.noFillFrame = number(drops["rx.noFillFrame"])
        counters.rxRingFull = number(drops["rx.ringFull"])
        return counters
    }

    /// The counts since `earlier` (a reading of the same daemon and link).
    func since(_ earlier: DaemonCounters) -> DaemonCounters {
        DaemonCounters(
            linkPackets: linkPackets &- earlier.linkPackets, linkDropped: linkDropped &- earlier.linkDropped,
            packetRingFull: packetRingFull &- earlier.packetRingFull, daemonReceived: daemonReceived &- earlier.daemonReceived,
            otherNicDrops: otherNicDrops &- earlier.otherNicDrops, tenantReceived: tenantReceived &- earlier.tenantReceived,
            noFillFrame: noFillFrame &- earlier.noFillFrame, rxRingFull: rxRingFull &- earlier.rxRingFull)
    }

    /// Each place a sent frame can be lost, as a fraction of `sent`, in path order. What is
    /// left ("elsewhere") is sent frames none of the counters saw: lost between the sender's
    /// socket and the link's counters (the veth's backlog), or counted as another's traffic.
    func lossFractions(sent: Int, received: Int) -> [(place: String, fraction: Double)] {
        guard sent > 0 else { return [] }
        let total = Double(sent)
        let named: [(String, UInt64)] = [
            ("linkDropped", linkDropped), ("packetRingFull", packetRingFull), ("otherNicDrops", otherNicDrops),
            ("noFillFrame", noFillFrame), ("rxRingFull", rxRingFull),
        ]
        let lost = max(0, sent - received)
        let explained = named.reduce(0) { $0 + Int($1.1) }
        return named.map { ($0.0, Double($0.1) / total) } + [("elsewhere", Double(max(0, lost - explained)) / total)]
    }

    var json: [String: Any] {
        [
            "linkPackets": linkPackets, "linkDropped": linkDropped, "packetRingFull": packetRingFull,
            "daemonReceived": daemonReceived, "otherNicDrops": otherNicDrops, "tenantReceived": tenantReceived,
            "noFillFrame": noFillFrame, "rxRingFull": rxRingFull,
        ]
    }

    private static func object(_ text: String) throws -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw BenchError("exoctl printed no JSON object: \(text)")
        }
        return object
    }

    private static func number(_ value: Any?) -> UInt64 { (value as? NSNumber)?.uint64Value ?? 0 }
}
