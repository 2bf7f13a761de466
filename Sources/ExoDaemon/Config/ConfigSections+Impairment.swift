// Decodes [impairment] and its [impairment.to_tenants] / [impairment.from_tenants] tables:
// types and known keys only; ranges are ConfigValidator's job.

import ExoWire

extension ConfigLoader {
    static let impairmentKeys = ["seed", "held_packets", "to_tenants", "from_tenants", "tenants"]
    static let tenantImpairmentKeys = ["to_tenants", "from_tenants"]
    static let impairmentProfileKeys = [
        "loss_ppm", "burst_enter_ppm", "burst_leave_ppm", "burst_loss_good_ppm", "burst_loss_bad_ppm",
        "duplicate_ppm", "reorder_ppm", "reorder_gap_us", "delay_us", "jitter_us", "corrupt_ppm", "rate_bps",
        "queue_limit_us",
    ]

    static func decodeImpairment(_ section: TOMLSection) throws(ConfigError) -> ImpairmentConfig {
        try section.rejectUnknownKeys(known: impairmentKeys)
        var config = ImpairmentConfig()
        if let seed = try section.integer("seed", as: Int64.self) { config.seed = UInt64(bitPattern: seed) }
        if let held = try section.integer("held_packets", as: Int.self) { config.heldPackets = held }
        if let table = try section.section("to_tenants") { config.toTenants = try decodeImpairmentProfile(table) }
        if let table = try section.section("from_tenants") { config.fromTenants = try decodeImpairmentProfile(table) }
        if let tenants = try section.section("tenants") {
            for name in tenants.table.keys.sorted() {
                guard let table = try tenants.section(name) else { continue }
                try table.rejectUnknownKeys(known: tenantImpairmentKeys)
                var tenant = TenantImpairmentConfig(name: name)
                if let to = try table.section("to_tenants") { tenant.toTenants = try decodeImpairmentProfile(to) }
                if let from = try table.section("from_tenants") { tenant.fromTenants = try decodeImpairmentProfile(from) }
                config.tenants.append(tenant)
            }
        }
        return config
    }

    /// One direction's faults: probabilities in parts per million, times in microseconds.
    static func decodeImpairmentProfile(_ section: TOMLSection) throws(ConfigError) -> WireImpairmentProfile {
        try section.rejectUnknownKeys(known: impairmentProfileKeys)
        var p = WireImpairmentProfile()
        func ppm(_ key: String) throws(ConfigError) -> UInt32 { try section.integer(key, as: UInt32.self) ?? 0 }
        func micro(_ key: String) throws(ConfigError) -> UInt64 {
            let value = try section.integer(key, as: UInt64.self) ?? 0
            let (ns, overflow) = value.multipliedReportingOverflow(by: 1000)
            guard !overflow else { throw section.error(key, "must be at most \(UInt64.max / 1000) microseconds") }
            return ns
        }
        p.lossPPM = try ppm("loss_ppm")
        p.burstEnterPPM = try ppm("burst_enter_ppm")
        p.burstLeavePPM = try ppm("burst_leave_ppm")
        p.burstLossGoodPPM = try ppm("burst_loss_good_ppm")
        p.burstLossBadPPM = try ppm("burst_loss_bad_ppm")
        p.duplicatePPM = try ppm("duplicate_ppm")
        p.reorderPPM = try ppm("reorder_ppm")
        p.reorderGapNanoseconds = try micro("reorder_gap_us")
        p.delayNanoseconds = try micro("delay_us")
        p.jitterNanoseconds = try micro("jitter_us")
        p.corruptPPM = try ppm("corrupt_ppm")
        p.rateBitsPerSecond = try section.integer("rate_bps", as: UInt64.self) ?? 0
        p.queueLimitNanoseconds = try micro("queue_limit_us")
        return p
    }
}
