// Shared helpers for the configuration tests: the repository's files, generous host limits,
// and one-line ways to get the error a text or a configuration produces.

import Foundation
import Testing

@testable import ExoDaemon

enum ConfigFixtures {
    /// The repository root, found from this file's path (Tests/ExoDaemonTests/<file>).
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let exampleConfigPath = repositoryRoot.appendingPathComponent("config/exokerneld.toml").path

    /// The limits measured on the project's machines (PLATFORM.md), as a root daemon.
    static let documentedLimits = HostLimits(openFiles: 20_000, maxMapCount: 65_530, daemonUID: 0)

    /// A minimal valid file around `tenants`, for tests that change one thing.
    static func file(daemon: String = "", frames: String = "count = 4096\nsize = 4096", tenants: String = """
        [[tenant]]
        name = "alice"
        uids = [60001]
        frame_quota = 1024
        """
    ) -> String {
        "[daemon]\n\(daemon)\n[frames]\n\(frames)\n\(tenants)\n"
    }

    /// A valid configuration with two tenants, for validator tests to break one rule at a time.
    static func config() -> DaemonConfig {
        DaemonConfig(tenants: [
            TenantConfig(name: "alice", uids: [60001], frameQuota: 1024),
            TenantConfig(name: "bob", uids: [60002], frameQuota: 1024),
        ])
    }

    /// The error `ConfigLoader.parse` throws for `text`, or nil when it parses.
    static func parseError(_ text: String, file: String = "test.toml") -> ConfigError? {
        do {
            _ = try ConfigLoader.parse(text, file: file)
            return nil
        } catch {
            return error
        }
    }

    /// The descriptions of the errors `ConfigValidator.check` finds.
    static func errors(_ config: DaemonConfig, limits: HostLimits = documentedLimits) -> [String] {
        ConfigValidator.check(config, file: "test.toml", limits: limits).errors.map(\.description)
    }

    static func warnings(_ config: DaemonConfig, limits: HostLimits = documentedLimits) -> [String] {
        ConfigValidator.check(config, file: "test.toml", limits: limits).warnings
    }
}
