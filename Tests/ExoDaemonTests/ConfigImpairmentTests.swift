// Specification of [impairment]: decoded key by key, refused with the key's path when a
// probability exceeds certainty or the held store is empty, warned when it cannot apply.

import ExoWire
import Testing

@testable import ExoDaemon

@Suite("Configuration: [impairment]")
struct ConfigImpairmentTests {
    @Test func everyKeyIsDecoded() throws {
        let text = ConfigFixtures.file() + """
            [impairment]
            seed = 7
            held_packets = 64
            [impairment.to_tenants]
            loss_ppm = 100000
            burst_enter_ppm = 1
            burst_leave_ppm = 2
            burst_loss_good_ppm = 3
            burst_loss_bad_ppm = 4
            duplicate_ppm = 5
            reorder_ppm = 6
            reorder_gap_us = 7
            delay_us = 8
            jitter_us = 9
            corrupt_ppm = 10
            rate_bps = 11
            queue_limit_us = 12
            [impairment.from_tenants]
            delay_us = 20000
            """
        let config = try ConfigLoader.parse(text, file: "test.toml")
        #expect(config.impairment.seed == 7)
        #expect(config.impairment.heldPackets == 64)
        var to = WireImpairmentProfile()
        to.lossPPM = 100_000
        to.burstEnterPPM = 1
        to.burstLeavePPM = 2
        to.burstLossGoodPPM = 3
        to.burstLossBadPPM = 4
        to.duplicatePPM = 5
        to.reorderPPM = 6
        to.reorderGapNanoseconds = 7_000
        to.delayNanoseconds = 8_000
        to.jitterNanoseconds = 9_000
        to.corruptPPM = 10
        to.rateBitsPerSecond = 11
        to.queueLimitNanoseconds = 12_000
        #expect(config.impairment.toTenants == to)
        var from = WireImpairmentProfile()
        from.delayNanoseconds = 20_000_000
        #expect(config.impairment.fromTenants == from)
    }

    @Test func aTenantsOwnFaultsAreDecodedUnderItsName() throws {
        let text = ConfigFixtures.file() + """
            [impairment.tenants.alice.from_tenants]
            duplicate_ppm = 500000
            """
        let config = try ConfigLoader.parse(text, file: "test.toml")
        var own = TenantImpairmentConfig(name: "alice")
        own.fromTenants.duplicatePPM = 500_000
        #expect(config.impairment.tenants == [own])
        #expect(config.impairment.toTenants.isOff)
    }

    @Test func aTenantImpairmentMustNameAConfiguredTenant() {
        var config = ConfigFixtures.config()
        var own = TenantImpairmentConfig(name: "carol")
        own.toTenants.lossPPM = 2_000_000
        config.impairment.tenants = [own]
        #expect(ConfigFixtures.errors(config) == [
            "test.toml: impairment.tenants.carol: no [[tenant]] is named 'carol'",
            "test.toml: impairment.tenants.carol.to_tenants.loss_ppm: 2000000 is more than 1000000 parts per million (certainty)",
        ])
    }

    @Test func absentSectionMeansOff() throws {
        let config = try ConfigLoader.parse(ConfigFixtures.file(), file: "test.toml")
        #expect(config.impairment == ImpairmentConfig())
        #expect(config.impairment.toTenants.isOff && config.impairment.fromTenants.isOff)
    }

    @Test func aTypoIsRefusedWithASuggestion() {
        let error = ConfigFixtures.parseError(ConfigFixtures.file() + "[impairment.to_tenants]\nlos_ppm = 1\n")
        #expect(error?.description.contains("impairment.to_tenants.los_ppm") == true)
        #expect(error?.description.contains("did you mean 'loss_ppm'") == true)
    }

    @Test func aProbabilityAboveCertaintyIsAnErrorNamingTheKey() {
        var config = ConfigFixtures.config()
        config.impairment.fromTenants.burstLossBadPPM = 1_000_001
        #expect(ConfigFixtures.errors(config) == [
            "test.toml: impairment.from_tenants.burst_loss_bad_ppm: 1000001 is more than 1000000 parts per million (certainty)"
        ])
    }

    @Test func theHeldStoreMustHoldSomething() {
        var config = ConfigFixtures.config()
        config.impairment.heldPackets = 0
        #expect(ConfigFixtures.errors(config).first?.hasPrefix("test.toml: impairment.held_packets: must be between 1") == true)
    }

    @Test func faultsWithoutANicAreAWarning() {
        var config = ConfigFixtures.config()
        config.impairment.toTenants.lossPPM = 1
        #expect(ConfigFixtures.warnings(config).contains("test.toml: impairment.to_tenants: faults configured but no [nic]: nothing to impair"))
    }
}
