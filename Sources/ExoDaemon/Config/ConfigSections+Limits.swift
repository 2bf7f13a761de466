// The [limits] table: per-tenant bounds on the daemon state a tenant causes and on its
// data-path rates (TenantLimits). Types and known keys here; ranges in
// ConfigValidator.checkLimits below.

import ExoCore

/// Decodes `[limits]`.
enum LimitsSection {
    /// Every key of `[limits]`, in the order `config/exokerneld.toml` documents them.
    static let keys = [
        "tokens_issued", "offers_received", "sessions", "bindings", "filters", "captures",
        "reassembly_datagrams", "fault_reports_per_second", "descriptors_in_flight",
        "tx_packets_per_second", "tx_bytes_per_second", "rx_packets_per_second", "rx_bytes_per_second",
    ]

    static func decode(_ section: TOMLSection) throws(ConfigError) -> TenantLimits {
        try section.rejectUnknownKeys(known: keys)
        var limits = TenantLimits.defaults
        if let v = try section.integer("tokens_issued", as: Int.self) { limits.tokensIssued = v }
        if let v = try section.integer("offers_received", as: Int.self) { limits.offersReceived = v }
        if let v = try section.integer("sessions", as: Int.self) { limits.sessions = v }
        if let v = try section.integer("bindings", as: Int.self) { limits.bindings = v }
        if let v = try section.integer("filters", as: Int.self) { limits.filters = v }
        if let v = try section.integer("captures", as: Int.self) { limits.captures = v }
        if let v = try section.integer("reassembly_datagrams", as: Int.self) { limits.reassemblyDatagrams = v }
        if let v = try section.integer("fault_reports_per_second", as: Int.self) { limits.faultReportsPerSecond = v }
        if let v = try section.integer("descriptors_in_flight", as: Int.self) { limits.descriptorsInFlight = v }
        if let v = try section.integer("tx_packets_per_second", as: Int.self) { limits.txPacketsPerSecond = v }
        if let v = try section.integer("tx_bytes_per_second", as: Int.self) { limits.txBytesPerSecond = v }
        if let v = try section.integer("rx_packets_per_second", as: Int.self) { limits.rxPacketsPerSecond = v }
        if let v = try section.integer("rx_bytes_per_second", as: Int.self) { limits.rxBytesPerSecond = v }
        return limits
    }
}

extension ConfigValidator {
    /// Largest token and offer limits: at about 200 bytes a token, 65536 outstanding tokens
    /// of every tenant stay in the tens of megabytes.
    static let maximumTokenLimit = 65536

    static func checkLimits(_ c: DaemonConfig, _ findings: inout Findings) {
        let l = c.limits
        findings.require(l.tokensIssued, in: 1...maximumTokenLimit, key: "limits.tokens_issued")
        findings.require(l.offersReceived, in: 1...maximumTokenLimit, key: "limits.offers_received")
        // Above daemon.max_connections it is simply never reached: not worth an error.
        findings.require(l.sessions, in: 1...65536, key: "limits.sessions")
        findings.require(l.bindings, in: 1...65536, key: "limits.bindings")
        findings.require(l.filters, in: 1...65536, key: "limits.filters")
        findings.require(
            l.captures, in: 1...CaptureTable.maxCaptures, key: "limits.captures",
            bound: "the daemon's \(CaptureTable.maxCaptures) captures")
        findings.require(
            l.reassemblyDatagrams, in: 1...DaemonReassembly.maximumDatagrams, key: "limits.reassembly_datagrams",
            bound: "the reassembler's \(DaemonReassembly.maximumDatagrams) datagrams")
        findings.require(l.faultReportsPerSecond, in: 1...10_000, key: "limits.fault_reports_per_second")
        // At least one full map reply (253) and a data path's three.
        findings.require(l.descriptorsInFlight, in: 256...65536, key: "limits.descriptors_in_flight")
        let rate = 0...Int(TrafficRateLimit.maximumRate)
        findings.require(l.txPacketsPerSecond, in: rate, key: "limits.tx_packets_per_second")
        findings.require(l.txBytesPerSecond, in: rate, key: "limits.tx_bytes_per_second")
        findings.require(l.rxPacketsPerSecond, in: rate, key: "limits.rx_packets_per_second")
        findings.require(l.rxBytesPerSecond, in: rate, key: "limits.rx_bytes_per_second")
        // Connections before the hello are capped per uid, not per tenant: if the tenants' uids
        // together may hold every connection, some tenants can keep others from connecting.
        let uids = c.tenants.reduce(0) { $0 + $1.uids.count }
        if uids * c.maxConnectionsPerUID >= c.maxConnections, c.tenants.count > 1 {
            findings.warn(
                "daemon.max_connections_per_uid",
                "\(uids) tenant uids × \(c.maxConnectionsPerUID) connections each reach daemon.max_connections (\(c.maxConnections)): tenants could hold every connection and keep each other (and exoctl) out; raise max_connections or lower max_connections_per_uid")
        }
    }

    /// Descriptors every tenant may have in unread replies are the daemon's open files too:
    /// checked after the pool's own need (`checkHost`), as its own error.
    static func checkDescriptorsInFlight(_ c: DaemonConfig, limits: HostLimits, _ findings: inout Findings) {
        let base = UInt64(c.frameCount) + reservedDescriptors + UInt64(max(0, c.maxConnections))
        guard base <= limits.openFiles, (256...65536).contains(c.limits.descriptorsInFlight) else { return }
        let inFlight = UInt64(c.tenants.count) * UInt64(c.limits.descriptorsInFlight)
        guard base + inFlight > limits.openFiles else { return }
        findings.error(
            "limits.descriptors_in_flight",
            "\(c.tenants.count) tenants with \(c.limits.descriptorsInFlight) descriptors in flight each need \(base + inFlight) descriptors (\(base) for the pool, reserve and connections + \(inFlight)) but the hard RLIMIT_NOFILE (which exokerneld raises its soft limit to) is \(limits.openFiles); raise LimitNOFILE= in the unit or lower limits.descriptors_in_flight"
        )
    }
}
