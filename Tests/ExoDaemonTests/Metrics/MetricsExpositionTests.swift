// The text a scrape returns for a snapshot of the daemon's counters: the format's rules (read
// back by a strict reader), Prometheus's naming conventions, every counter with its tenant,
// counters that follow the daemon's (also when one starts again from zero), series that leave
// with their tenant, and label values escaped.

import ExoCore
import ExoWire
import Testing

@testable import ExoDaemon

@Suite("Metrics endpoint: exposition")
struct MetricsExpositionTests {
    static func tenant(_ name: String, rx: UInt64 = 0, drops: UInt64 = 0) -> MetricsSnapshot.Tenant {
        MetricsSnapshot.Tenant(
            name: name, framesHeld: 3, frameQuota: 64, sessions: 1, rxPackets: rx, rxBytes: rx * 100, txPackets: 2,
            txBytes: 180, drops: [("rx.noFillFrame", drops), ("tx.sourceAddressNotOwned", 0)],
            impairment: [("rx", "lostRandom", 4), ("tx", "delayed", 0)],
            resources: [ResourceUsage(resource: "frames", used: 3, limit: 64, refused: 1)],
            rings: [("fill", 5, 64), ("rx", 2, 64), ("tx", 0, 64), ("completion", 1, 64)])
    }

    /// Revocations: one operator's met, one pool-low pending.
    static var revocations: RevocationBook {
        var book = RevocationBook()
        _ = book.requestCount(tenant: 0, reason: .operatorRequest, target: 2, deadline: 100)
        _ = book.settle(tenant: 0, held: 2, isLive: { _ in true })
        _ = book.requestCount(tenant: 1, reason: .poolLow, target: 2, deadline: 100)
        return book
    }

    /// Control traffic: two pings (15 µs and 3 ms), a refused revoke (40 µs), one malformed record.
    static var control: ControlRequestTally {
        var tally = ControlRequestTally()
        tally.record(ControlRequestTally.served(.ping, reply: .pong), nanoseconds: 15_000)
        tally.record(ControlRequestTally.served(.ping, reply: .pong), nanoseconds: 3_000_000)
        tally.record(ControlRequestTally.served(.revoke, reply: .error(.unknownTenant, detail: "")), nanoseconds: 40_000)
        tally.record(ControlRequestTally.malformed, nanoseconds: 500_000_000)
        return tally
    }

    static func snapshot(_ tenants: [MetricsSnapshot.Tenant], nic: NicInfo? = nil) -> MetricsSnapshot {
        MetricsSnapshot(
            status: StatusInfo(daemonVersion: "0.6.0", protocolVersion: 1, pid: 42, uptimeSeconds: 9, poolFrames: 256,
                frameSize: 4096, freeFrames: 250, tenantsConfigured: UInt32(tenants.count), sessions: 2, holdings: 6,
                outstandingTokens: 1),
            tenants: tenants, nic: nic, revocations: revocations.tally, revocationsPending: revocations.count,
            control: control)
    }

    static func render(_ exposition: MetricsExposition, _ snapshot: MetricsSnapshot) throws -> PrometheusText {
        try PrometheusText(String(decoding: exposition.render(snapshot), as: UTF8.self))
    }

    @Test func everyCounterOfEveryTenantIsExportedWithItsTenantLabel() throws {
        let text = try Self.render(MetricsExposition(), Self.snapshot([Self.tenant("alice", rx: 5, drops: 2), Self.tenant("bob", rx: 7)]))
        #expect(text.value("exokernel_tenant_rx_packets_total", ["tenant": "alice"]) == 5)
        #expect(text.value("exokernel_tenant_rx_bytes_total", ["tenant": "bob"]) == 700)
        #expect(text.value("exokernel_tenant_tx_packets_total", ["tenant": "bob"]) == 2)
        #expect(text.value("exokernel_tenant_drops_total", ["tenant": "alice", "reason": "rx.noFillFrame"]) == 2)
        // A reason with no drop yet is a series at 0, so rate() works from the first drop on.
        #expect(text.value("exokernel_tenant_drops_total", ["tenant": "alice", "reason": "tx.sourceAddressNotOwned"]) == 0)
        #expect(text.value("exokernel_tenant_impairment_events_total", ["tenant": "alice", "direction": "rx", "event": "lostRandom"]) == 4)
        #expect(text.value("exokernel_tenant_frames_held", ["tenant": "alice"]) == 3)
        #expect(text.value("exokernel_tenant_resource_limit", ["tenant": "bob", "resource": "frames"]) == 64)
        #expect(text.value("exokernel_tenant_resource_refusals_total", ["tenant": "bob", "resource": "frames"]) == 1)
        #expect(text.value("exokernel_pool_free_frames") == 250)
        #expect(text.value("exokernel_sessions") == 2)
        #expect(text.value("exokernel_build_info", ["version": "0.6.0"]) == 1)
        #expect(text.series("exokernel_nic_up").isEmpty)
    }

    @Test func namesFollowPrometheusConventionsAndEveryFamilyHasItsTypeAndHelp() throws {
        let nic = NicInfo(backend: "tap", name: "exo0", ifindex: 3, isUp: true, isRunning: false, mtu: 1500, mac: .zero,
            hostAddress: 0, prefixLength: 24, rxPackets: 10, txPackets: 11, rxBytes: 1000, txBytes: 1100, drops: 1,
            linkDownEvents: 0, dropReasons: [DropCount(reason: "rx.noBinding", count: 1)])
        let text = try Self.render(MetricsExposition(), Self.snapshot([Self.tenant("alice")], nic: nic))
        for family in MetricFamily.all {
            #expect(family.name.hasPrefix("exokernel_"))
            #expect(family.name.hasSuffix("_total") == (family.kind == .counter), "\(family.name)")
            #expect(text.types[family.name] == family.typeName, "\(family.name)")
            #expect(text.help[family.name]?.isEmpty == false, "\(family.name)")
            let sample = family.kind == .histogram ? family.name + "_count" : family.name
            #expect(!text.series(sample).isEmpty, "\(family.name) has no series")
        }
        #expect(text.value("exokernel_nic_running", ["nic": "exo0"]) == 0)
        #expect(text.value("exokernel_nic_drops_total", ["nic": "exo0", "reason": "rx.noBinding"]) == 1)
        #expect(text.value("exokernel_nic_mtu_bytes", ["nic": "exo0"]) == 1500)
    }

    @Test func countersFollowTheDaemonsAcrossScrapesAndStartAgainWhenItsDo() throws {
        let exposition = MetricsExposition()
        _ = try Self.render(exposition, Self.snapshot([Self.tenant("alice", rx: 5)]))
        var text = try Self.render(exposition, Self.snapshot([Self.tenant("alice", rx: 12)]))
        #expect(text.value("exokernel_tenant_rx_packets_total", ["tenant": "alice"]) == 12)
        // A tenant removed and added again by reloads counts from zero: so does its series.
        text = try Self.render(exposition, Self.snapshot([Self.tenant("alice", rx: 3)]))
        #expect(text.value("exokernel_tenant_rx_packets_total", ["tenant": "alice"]) == 3)
    }

    @Test func aTenantTheSnapshotNoLongerHasLeavesNoSeries() throws {
        let exposition = MetricsExposition()
        _ = try Self.render(exposition, Self.snapshot([Self.tenant("alice", rx: 1), Self.tenant("bob", rx: 2)]))
        let text = try Self.render(exposition, Self.snapshot([Self.tenant("alice", rx: 1)]))
        #expect(text.samples.allSatisfy { $0.labels["tenant"] != "bob" })
        #expect(text.value("exokernel_tenant_rx_packets_total", ["tenant": "alice"]) == 1)
    }

    @Test func labelValuesAreEscaped() throws {
        let name = "we\"ird\\name\nx"
        let text = try Self.render(MetricsExposition(), Self.snapshot([Self.tenant(name, rx: 9)]))
        #expect(text.value("exokernel_tenant_rx_packets_total", ["tenant": name]) == 9,
            "\(text.series("exokernel_tenant_rx_packets_total"))")
    }

    @Test func ringDepthsRevocationsAndControlRequestsAreExported() throws {
        let text = try Self.render(MetricsExposition(), Self.snapshot([Self.tenant("alice")]))
        #expect(text.value("exokernel_tenant_ring_entries", ["tenant": "alice", "ring": "fill"]) == 5)
        #expect(text.value("exokernel_tenant_ring_slots", ["tenant": "alice", "ring": "completion"]) == 64)
        #expect(text.value("exokernel_revocations_started_total", ["reason": "operatorRequest"]) == 1)
        #expect(text.value("exokernel_revocations_started_total", ["reason": "poolLow"]) == 1)
        #expect(text.value("exokernel_revocations_started_total", ["reason": "grantRevoked"]) == 0)
        #expect(text.value("exokernel_revocations_ended_total", ["outcome": "returned"]) == 1)
        #expect(text.value("exokernel_revocations_ended_total", ["outcome": "tenantGone"]) == 0)
        #expect(text.value("exokernel_revocations_pending") == 1)
        #expect(text.value("exokernel_revocation_frames_repossessed_total") == 0)
        #expect(text.value("exokernel_control_requests_total", ["kind": "ping", "outcome": "ok"]) == 2)
        #expect(text.value("exokernel_control_requests_total", ["kind": "revoke", "outcome": "error"]) == 1)
        #expect(text.value("exokernel_control_requests_total", ["kind": "malformed", "outcome": "error"]) == 1)
        // Every kind is a series from the start, so rate() sees its first request.
        #expect(text.value("exokernel_control_requests_total", ["kind": "kick", "outcome": "ok"]) == 0)
    }

    @Test("the control histogram is a well-formed histogram: ascending le, cumulative buckets, +Inf equal to the count")
    func controlHistogramIsWellFormed() throws {
        let text = try Self.render(MetricsExposition(), Self.snapshot([]))
        let name = "exokernel_control_request_duration_seconds"
        let ping = text.series(name + "_bucket").filter { $0.labels["kind"] == "ping" }
        let bounds = ping.map { PrometheusText.special(Substring($0.labels["le"]!)) ?? Double($0.labels["le"]!)! }
        #expect(bounds == bounds.sorted() && bounds.last == .infinity && Set(bounds).count == bounds.count)
        #expect(ping.map(\.value) == ping.map(\.value).sorted())
        #expect(text.value(name + "_bucket", ["kind": "ping", "le": "1e-05"]) == 0)
        #expect(text.value(name + "_bucket", ["kind": "ping", "le": "2.5e-05"]) == 1)
        #expect(text.value(name + "_bucket", ["kind": "ping", "le": "0.0025"]) == 1)
        #expect(text.value(name + "_bucket", ["kind": "ping", "le": "0.005"]) == 2)
        #expect(text.value(name + "_bucket", ["kind": "ping", "le": "+Inf"]) == 2)
        #expect(text.value(name + "_count", ["kind": "ping"]) == 2)
        #expect(abs(try #require(text.value(name + "_sum", ["kind": "ping"])) - 0.003015) < 1e-12)
        // Past the last bound: only in +Inf.
        #expect(text.value(name + "_bucket", ["kind": "malformed", "le": "0.1"]) == 0)
        #expect(text.value(name + "_bucket", ["kind": "malformed", "le": "+Inf"]) == 1)
        // A kind never served has no histogram series.
        #expect(text.series(name + "_count").map { $0.labels["kind"]! }.sorted() == ["malformed", "ping", "revoke"])
    }
}
