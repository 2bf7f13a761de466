// The [metrics] table: absent means no endpoint; listen is a numeric ADDRESS:PORT; bounds on
// connections and the timeout; a warning for an address other hosts reach; a reload that
// changes it is refused (the listener is made at start).

import ExoPlatform
import Testing

@testable import ExoDaemon

@Suite("Configuration: [metrics]")
struct MetricsConfigTests {
    static func load(_ metrics: String) throws -> DaemonConfig {
        try ConfigLoader.parse(ConfigFixtures.file() + metrics, file: "test.toml")
    }

    @Test func noTableMeansNoEndpoint() throws {
        #expect(try Self.load("").metrics == nil)
    }

    @Test func listenTakesAnIPv4OrBracketedIPv6AddressAndAPortWithDocumentedDefaults() throws {
        let v4 = try #require(try Self.load("[metrics]\nlisten = \"127.0.0.1:9464\"\n").metrics)
        #expect(v4.listen == TCPEndpoint(parsing: "127.0.0.1:9464"))
        #expect(v4.maxConnections == 4 && v4.timeoutMilliseconds == 5000)
        let v6 = try #require(try Self.load("[metrics]\nlisten = \"[::1]:0\"\nmax_connections = 2\ntimeout_ms = 250\n").metrics)
        #expect(v6.listen.family == .ipv6 && v6.listen.port == 0 && v6.listen.isLoopback)
        #expect(v6.maxConnections == 2 && v6.timeoutMilliseconds == 250)
    }

    @Test func aTableWithoutListenOrWithANameIsRefusedWithTheKey() {
        #expect(ConfigFixtures.parseError("[daemon]\n[frames]\n[metrics]\nmax_connections = 2\n")?.description
            .contains("metrics.listen: missing") == true)
        for bad in ["localhost:9464", "127.0.0.1", "::1:9464", "127.0.0.1:70000", "10.0.0.1:-1", ""] {
            let error = ConfigFixtures.parseError(ConfigFixtures.file() + "[metrics]\nlisten = \"\(bad)\"\n")
            #expect(error?.description.contains("metrics.listen: '\(bad)' is not ADDRESS:PORT") == true, "\(bad): \(String(describing: error))")
        }
        #expect(ConfigFixtures.parseError(ConfigFixtures.file() + "[metrics]\nlisten = \"127.0.0.1:1\"\nport = 1\n") != nil)
    }

    @Test func connectionsAndTimeoutAreBoundedAndAnAddressOthersReachIsWarnedAbout() throws {
        var config = ConfigFixtures.config()
        var metrics = MetricsConfig(listen: try #require(TCPEndpoint(parsing: "127.0.0.1:9464")))
        config.metrics = metrics
        #expect(ConfigFixtures.errors(config).isEmpty)
        #expect(ConfigFixtures.warnings(config).allSatisfy { !$0.contains("metrics") })
        metrics.maxConnections = 17
        metrics.timeoutMilliseconds = 50
        config.metrics = metrics
        let errors = ConfigFixtures.errors(config)
        #expect(errors.contains { $0.contains("metrics.max_connections") })
        #expect(errors.contains { $0.contains("metrics.timeout_ms") })
        config.metrics = MetricsConfig(listen: try #require(TCPEndpoint(parsing: "0.0.0.0:9464")))
        #expect(ConfigFixtures.warnings(config).contains { $0.contains("metrics.listen") && $0.contains("not a loopback address") })
    }

    @Test func aReloadThatChangesTheEndpointIsRefused() throws {
        let old = ConfigFixtures.config()
        var new = old
        new.metrics = MetricsConfig(listen: try #require(TCPEndpoint(parsing: "127.0.0.1:9464")))
        #expect(ReloadPlan.restartOnlyChanges(running: old, next: new, file: "f.toml").map(\.key) == ["metrics"])
        #expect(ReloadPlan.restartOnlyChanges(running: new, next: new, file: "f.toml").isEmpty)
    }
}
