// Specification of the [limits] table: every key decodes, defaults are the documented ones,
// and a bad value or key is an error naming the file and the key.

import ExoCore
import Testing

@testable import ExoDaemon

@Suite("Configuration: [limits]")
struct ConfigLimitsTests {
    typealias F = ConfigFixtures

    @Test func theExampleConfigurationStatesTheDefaults() throws {
        let config = try ConfigLoader.load(path: F.exampleConfigPath)
        #expect(config.limits == TenantLimits.defaults)
        #expect(DaemonConfig().limits == TenantLimits.defaults)
    }

    @Test func everyKeyDecodes() throws {
        let text = F.file() + """
            [limits]
            tokens_issued = 1
            offers_received = 2
            sessions = 3
            bindings = 4
            filters = 5
            captures = 6
            reassembly_datagrams = 7
            fault_reports_per_second = 8
            descriptors_in_flight = 300
            tx_packets_per_second = 9
            tx_bytes_per_second = 10
            rx_packets_per_second = 11
            rx_bytes_per_second = 12
            """
        let config = try ConfigLoader.parse(text, file: "test.toml")
        var expected = TenantLimits(
            tokensIssued: 1, offersReceived: 2, sessions: 3, bindings: 4, filters: 5, captures: 6,
            reassemblyDatagrams: 7, faultReportsPerSecond: 8, descriptorsInFlight: 300)
        expected.txPacketsPerSecond = 9
        expected.txBytesPerSecond = 10
        expected.rxPacketsPerSecond = 11
        expected.rxBytesPerSecond = 12
        #expect(config.limits == expected)
        #expect(config.limits.limitsRates && !TenantLimits.defaults.limitsRates)
        #expect(F.errors(config) == [])
    }

    @Test func aMisspelledKeyIsRefusedWithASuggestion() {
        let error = F.parseError(F.file() + "[limits]\ntoken_issued = 3\n")
        #expect(error?.description == "test.toml: limits.token_issued: unknown key 'token_issued'; did you mean 'tokens_issued'?")
    }

    @Test func valuesOutOfRangeNameTheKeyAndItsBounds() {
        var config = F.config()
        config.limits = TenantLimits(
            tokensIssued: 0, offersReceived: 65_537, sessions: 0, bindings: 0, filters: 70_000, captures: 9,
            reassemblyDatagrams: 65, faultReportsPerSecond: 0, descriptorsInFlight: 255)
        config.limits.txPacketsPerSecond = -1
        config.limits.rxBytesPerSecond = 12_500_000_001
        #expect(F.errors(config) == [
            "test.toml: limits.tokens_issued: 0 is out of range: must be between 1 and 65536",
            "test.toml: limits.offers_received: 65537 is out of range: must be between 1 and 65536",
            "test.toml: limits.sessions: 0 is out of range: must be between 1 and 65536",
            "test.toml: limits.bindings: 0 is out of range: must be between 1 and 65536",
            "test.toml: limits.filters: 70000 is out of range: must be between 1 and 65536",
            "test.toml: limits.captures: 9 is out of range: must be between 1 and the daemon's 8 captures (8)",
            "test.toml: limits.reassembly_datagrams: 65 is out of range: must be between 1 and the reassembler's 64 datagrams (64)",
            "test.toml: limits.fault_reports_per_second: 0 is out of range: must be between 1 and 10000",
            "test.toml: limits.descriptors_in_flight: 255 is out of range: must be between 256 and 65536",
            "test.toml: limits.tx_packets_per_second: -1 is out of range: must be between 0 and 12500000000",
            "test.toml: limits.rx_bytes_per_second: 12500000001 is out of range: must be between 0 and 12500000000",
        ])
    }

    @Test func tenantUIDsThatCouldHoldEveryConnectionAreWarnedAbout() {
        var config = F.config()
        config.maxConnections = 64
        #expect(F.warnings(config) == [
            "test.toml: daemon.max_connections_per_uid: 2 tenant uids × 32 connections each reach daemon.max_connections (64): tenants could hold every connection and keep each other (and exoctl) out; raise max_connections or lower max_connections_per_uid"
        ])
        config.maxConnections = 65
        #expect(F.warnings(config) == [])
    }

    @Test func descriptorsInFlightOfEveryTenantMustFitTheDaemonsDescriptors() {
        var config = F.config()
        config.frameCount = 1024
        // 1024 frames + 64 reserved + 256 connections = 1344; two tenants add 2 * 512.
        let fits = HostLimits(openFiles: 1344 + 1024, maxMapCount: 100_000, daemonUID: 0)
        #expect(F.errors(config, limits: fits) == [])
        let short = HostLimits(openFiles: 1344 + 1023, maxMapCount: 100_000, daemonUID: 0)
        #expect(F.errors(config, limits: short) == [
            "test.toml: limits.descriptors_in_flight: 2 tenants with 512 descriptors in flight each need 2368 descriptors (1344 for the pool, reserve and connections + 1024) but the hard RLIMIT_NOFILE (which exokerneld raises its soft limit to) is 2367; raise LimitNOFILE= in the unit or lower limits.descriptors_in_flight"
        ])
    }
}
