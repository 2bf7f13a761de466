// Ranges of [impairment]: probabilities at most one million parts per million, a held-packet
// store that fits memory, and a warning when faults are configured without a NIC.

import ExoWire

/// One section's checks for `ConfigValidator.check` (pure; findings collected, nothing thrown).
enum ImpairmentConfigCheck {
    static func checkImpairment(_ c: DaemonConfig, _ findings: inout Findings) {
        let i = c.impairment
        if i.heldPackets < 1 || i.heldPackets > ImpairmentConfig.maximumHeldPackets {
            findings.error(
                "impairment.held_packets", "must be between 1 and \(ImpairmentConfig.maximumHeldPackets), got \(i.heldPackets)")
        }
        var profiles = [("to_tenants", i.toTenants), ("from_tenants", i.fromTenants)]
        for tenant in i.tenants {
            if !c.tenants.contains(where: { $0.name == tenant.name }) {
                findings.error("impairment.tenants.\(tenant.name)", "no [[tenant]] is named '\(tenant.name)'")
            }
            profiles.append(("tenants.\(tenant.name).to_tenants", tenant.toTenants))
            profiles.append(("tenants.\(tenant.name).from_tenants", tenant.fromTenants))
        }
        for (table, profile) in profiles {
            for (name, value) in profile.probabilities where value > WireImpairmentProfile.million {
                findings.error(
                    "impairment.\(table).\(configKey(name))",
                    "\(value) is more than 1000000 parts per million (certainty)")
            }
            if profile.burstEnterPPM == 0, profile.burstLeavePPM != 0 || profile.burstLossBadPPM != 0
                || profile.burstLossGoodPPM != 0
            {
                findings.warn(
                    "impairment.\(table).burst_enter_ppm", "0: burst loss is off, its other keys are ignored")
            }
            if profile.jitterNanoseconds > 0, profile.delayNanoseconds == 0 {
                findings.warn("impairment.\(table).jitter_us", "jitter without delay_us only ever delays (never earlier than now)")
            }
            if !profile.isOff, c.nic == nil {
                findings.warn("impairment.\(table)", "faults configured but no [nic]: nothing to impair")
            }
        }
    }

    /// The configuration key of a wire profile's probability field ("burstEnter" -> "burst_enter_ppm").
    private static func configKey(_ field: String) -> String {
        var key = ""
        for character in field {
            if character.isUppercase { key += "_" + character.lowercased() } else { key.append(character) }
        }
        return key + "_ppm"
    }
}
