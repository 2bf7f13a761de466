// Specification of the host-limit rules: the pool's descriptors and mappings must fit
// RLIMIT_NOFILE and vm.max_map_count (errors); a tenant quota that cannot fit is a warning.

import Testing

@testable import ExoDaemon

@Suite("ConfigValidator: host limits")
struct ConfigHostLimitTests {
    typealias F = ConfigFixtures

    /// 100 frames, 10 connections, one tenant with quota 50: needs 174 fds and 1124 mappings.
    static func small() -> DaemonConfig {
        DaemonConfig(
            maxConnections: 10, maxConnectionsPerUID: 10, frameCount: 100,
            tenants: [TenantConfig(name: "t", uids: [1000], frameQuota: 50)])
    }

    @Test func poolThatFitsExactlyIsAccepted() {
        // 174 for the pool, reserve and connections, and the tenant's 512 descriptors in flight.
        let limits = HostLimits(openFiles: 174 + 512, maxMapCount: 1124, daemonUID: 0)
        #expect(F.errors(Self.small(), limits: limits) == [])
        #expect(F.warnings(Self.small(), limits: limits) == [])
    }

    @Test func poolNeedingMoreDescriptorsThanRLIMIT_NOFILEIsRefused() {
        let limits = HostLimits(openFiles: 173, maxMapCount: 100_000, daemonUID: 0)
        #expect(
            F.errors(Self.small(), limits: limits) == [
                "test.toml: frames.count: pool of 100 frames needs 174 descriptors (100 frames + 64 reserved + 10 connections) but the hard RLIMIT_NOFILE (which exokerneld raises its soft limit to) is 173; raise LimitNOFILE= in the unit or lower frames.count"
            ])
    }

    @Test func poolNeedingMoreMappingsThanMaxMapCountIsRefused() {
        let limits = HostLimits(openFiles: 100_000, maxMapCount: 1123, daemonUID: 0)
        #expect(
            F.errors(Self.small(), limits: limits) == [
                "test.toml: frames.count: pool of 100 frames needs 1124 memory mappings (100 frames + 1024 reserved) but vm.max_map_count is 1123; raise vm.max_map_count (sysctl) or lower frames.count"
            ])
    }

    @Test func thisMachinesLimitsCapThePoolNear19000Frames() {
        var config = F.config()
        config.frameCount = 20_000 - 64 - 256 - 2 * 512
        #expect(F.errors(config) == [])
        config.frameCount += 1
        // The pool fits alone; with the tenants' descriptors in flight it does not.
        #expect(F.errors(config).count == 1)
        #expect(F.errors(config).first?.contains("RLIMIT_NOFILE (which exokerneld raises its soft limit to) is 20000") == true)
        #expect(F.errors(config).first?.contains("limits.descriptors_in_flight") == true)
    }

    // With the daemon's own limits, a quota (at most frames.count) that does not fit them comes
    // with a pool that does not fit either; the tenant's part stays a warning, never an error.
    @Test func tenantQuotaBeyondTheLimitsIsAWarningNamingEachLimit() {
        let config = Self.small()
        let limits = HostLimits(openFiles: 113, maxMapCount: 113, daemonUID: 0)
        let result = ConfigValidator.check(config, file: "test.toml", limits: limits)
        #expect(
            result.warnings == [
                "test.toml: tenant[0].frame_quota: tenant 't' may hold 50 frames and needs about 114 descriptors and mappings but RLIMIT_NOFILE is 113 and vm.max_map_count is 113: a tenant maps one frame per mapping and receives one fd per frame while mapping"
            ])
        #expect(result.errors.map(\.key) == ["frames.count", "frames.count"])

        let onlyDescriptors = HostLimits(openFiles: 113, maxMapCount: 100_000, daemonUID: 0)
        let warnings = ConfigValidator.check(config, file: "test.toml", limits: onlyDescriptors).warnings
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("but RLIMIT_NOFILE is 113: a tenant maps") == true)
    }

    @Test func unlimitedDescriptorsNeverRefuseThePool() {
        var config = F.config()
        config.frameCount = 16_000_000
        let limits = HostLimits(openFiles: UInt64.max, maxMapCount: Int.max, daemonUID: 0)
        #expect(F.errors(config, limits: limits) == [])
    }
}
