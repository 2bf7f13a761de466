// Specification of ConfigValidator's rules on keys: ranges, names, socket paths and tenant
// identities, each error naming the key path and the reason.

import ExoPlatform
import Testing

@testable import ExoDaemon

@Suite("ConfigValidator: keys and tenants")
struct ConfigValidatorTests {
    typealias F = ConfigFixtures

    @Test func exampleConfigValidatesWithTheDocumentedLimits() throws {
        let config = try ConfigLoader.load(path: F.exampleConfigPath)
        let result = ConfigValidator.check(config, file: F.exampleConfigPath, limits: F.documentedLimits)
        #expect(result.errors == [])
        #expect(result.warnings == [])
    }

    /// Whatever the soft limit of the shell that runs the tests (CI uses 1024): the daemon
    /// raises its own to the hard one, which is what `current()` reports.
    @Test func exampleConfigValidatesWithThisMachinesLimits() throws {
        let limits = try HostLimits.current()
        #expect(limits.openFiles == ResourceLimits.openFiles().hard)
        let config = try ConfigLoader.load(path: F.exampleConfigPath)
        #expect(ConfigValidator.check(config, file: F.exampleConfigPath, limits: limits).errors == [])
    }

    @Test func integersOutOfRangeNameTheirBounds() {
        var config = F.config()
        config.maxConnections = 0
        config.handshakeTimeoutMilliseconds = 60_001
        config.outboundQueueLimit = 70_000
        #expect(
            F.errors(config) == [
                "test.toml: daemon.max_connections: 0 is out of range: must be between 1 and 65536",
                "test.toml: daemon.handshake_timeout_ms: 60001 is out of range: must be between 10 and 60000",
                "test.toml: daemon.outbound_queue_limit: 70000 is out of range: must be between 1 and 65536",
            ])
    }

    @Test func perUIDCapMayNotExceedTheGlobalCap() {
        var config = F.config()
        config.maxConnections = 16
        config.maxConnectionsPerUID = 17
        #expect(
            F.errors(config) == [
                "test.toml: daemon.max_connections_per_uid: 17 is out of range: must be between 1 and daemon.max_connections (16)"
            ])
    }

    @Test func frameSizeMustBeWholePagesUpToTwoMiB() {
        for bad: UInt32 in [0, 1000, 4097, 4 << 20] {
            var config = F.config()
            config.frameSize = bad
            #expect(F.errors(config).map { $0.hasPrefix("test.toml: frames.size: \(bad) is not a multiple") } == [true])
        }
        for good: UInt32 in [4096, 8192, 2 << 20] {
            var config = F.config()
            config.frameSize = good
            #expect(F.errors(config) == [])
        }
    }

    @Test func emptyPoolIsRefused() {
        var config = F.config()
        config.frameCount = 0
        config.tenants = []
        #expect(F.errors(config) == ["test.toml: frames.count: 0 is out of range: must be between 1 and 16777216"])
    }

    @Test func socketPathMustBeAbsoluteAndFitSunPath() {
        var config = F.config()
        config.socketPath = "/" + String(repeating: "s", count: 106)
        #expect(F.errors(config) == [])
        config.socketPath += "s"
        #expect(
            F.errors(config) == [
                "test.toml: daemon.socket: is 108 bytes long; a Unix socket path holds at most 107"
            ])
        config.socketPath = "run/x.sock"
        #expect(F.errors(config) == ["test.toml: daemon.socket: 'run/x.sock' must be an absolute path"])
    }

    @Test func operatorGroupNameMustBeWellFormed() {
        var config = F.config()
        config.operatorGroup = .name("exo kernel")
        #expect(F.errors(config).first?.hasPrefix("test.toml: daemon.operator_group: 'exo kernel' is not a group name") == true)
        config.operatorGroup = .name("")
        #expect(F.errors(config).count == 1)
        config.operatorGroup = .name("exo-kernel_2.ops")
        #expect(F.errors(config) == [])
        config.operatorGroup = .gid(4_294_967_295)
        #expect(F.errors(config) == ["test.toml: daemon.operator_group: 4294967295 is (gid_t)-1, not a gid"])
    }

    @Test func tenantNamesMustBeWellFormedAndUnique() {
        var config = F.config()
        config.tenants[1].name = "Bob"
        #expect(
            F.errors(config) == [
                "test.toml: tenant[1].name: 'Bob' is not a tenant name: 1 to 32 of a-z, 0-9, '_' and '-'"
            ])
        config.tenants[1].name = String(repeating: "b", count: 33)
        #expect(F.errors(config).count == 1)
        config.tenants[1].name = "alice"
        #expect(
            F.errors(config) == [
                "test.toml: tenant[1].name: 'alice' is already the name of tenant[0]: tenant names must be unique"
            ])
    }

    @Test func aUIDMayBelongToOneTenantOnly() {
        var config = F.config()
        config.tenants[1].uids = [60002, 60001]
        #expect(
            F.errors(config) == [
                "test.toml: tenant[1].uids[1]: uid 60001 already belongs to tenant 'alice' (tenant[0]): a uid may belong to at most one tenant, since same-uid processes can reach each other's memory"
            ])
    }

    @Test func aGIDMayBelongToOneTenantOnlyAndNotTwiceInOne() {
        var config = F.config()
        config.tenants[0].gids = [5000]
        config.tenants[1].gids = [5000, 5001, 5001]
        #expect(
            F.errors(config) == [
                "test.toml: tenant[1].gids[0]: gid 5000 already belongs to tenant 'alice' (tenant[0]): a gid may belong to at most one tenant, since same-uid processes can reach each other's memory",
                "test.toml: tenant[1].gids[2]: gid 5001 is listed twice in tenant 'bob'",
            ])
    }

    @Test func tenantNeedsSomeIdentity() {
        var config = F.config()
        config.tenants[0].uids = []
        #expect(
            F.errors(config) == [
                "test.toml: tenant[0]: tenant 'alice' lists no uids and no gids: nobody could attach as it"
            ])
        config.tenants[0].gids = [5000]
        #expect(F.errors(config) == [])
    }

    @Test func rootUIDIsRefusedOutsideTestMode() {
        var config = F.config()
        config.tenants[0].uids = [0]
        config.tenants[1].gids = [0]
        #expect(
            F.errors(config) == [
                "test.toml: tenant[0].uids[0]: uid 0 is root: tenants must be distinct non-root uids (set daemon.allow_root_tenants only for tests)",
                "test.toml: tenant[1].gids[0]: gid 0 is root's group: tenants must be distinct non-root identities (set daemon.allow_root_tenants only for tests)",
            ])
    }

    @Test func rootUIDIsAllowedInTestModeWithAWarning() {
        var config = F.config()
        config.tenants[0].uids = [0]
        config.allowRootTenants = true
        #expect(F.errors(config) == [])
        #expect(F.warnings(config).contains { $0.hasPrefix("test.toml: daemon.allow_root_tenants: TEST ONLY") })
    }

    @Test func daemonsOwnUIDIsRefusedEvenInTestMode() {
        var config = F.config()
        config.allowRootTenants = true
        let limits = HostLimits(openFiles: 20_000, maxMapCount: 65_530, daemonUID: 60002)
        #expect(
            F.errors(config, limits: limits) == [
                "test.toml: tenant[1].uids[0]: uid 60002 is the daemon's own uid: a tenant with it could reach the daemon's memory"
            ])
    }

    @Test func quotaMustFitThePool() {
        var config = F.config()
        config.frameCount = 1000
        config.tenants[0].frameQuota = 1000
        config.tenants[1].frameQuota = 1001
        #expect(
            F.errors(config) == [
                "test.toml: tenant[1].frame_quota: 1001 is out of range: must be between 1 and frames.count (1000)"
            ])
        config.tenants[1].frameQuota = 0
        #expect(F.errors(config).count == 1)
    }

    @Test func noTenantsIsValidButWarned() {
        var config = F.config()
        config.tenants = []
        #expect(F.errors(config) == [])
        #expect(F.warnings(config) == ["test.toml: tenant: no [[tenant]] is configured: no application can attach"])
    }

    @Test func everyProblemIsReportedNotJustTheFirst() {
        var config = F.config()
        config.socketPath = "x"
        config.frameSize = 1
        config.tenants[1].uids = [60001]
        #expect(F.errors(config).count == 3)
    }
}
