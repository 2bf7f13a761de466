// daemon.log_level: one of swift-log's level names, "info" when absent, anything else refused
// with the names that are allowed.

import Logging
import Testing

@testable import ExoDaemon

@Suite("daemon.log_level")
struct ConfigLogLevelTests {
    @Test func absentMeansInfo() throws {
        #expect(try ConfigLoader.parse(ConfigFixtures.file(), file: "test.toml").logLevel == .info)
    }

    @Test(arguments: ["critical", "error", "warning", "notice", "info", "debug", "trace"])
    func everyLevelNameIsTaken(name: String) throws {
        let config = try ConfigLoader.parse(ConfigFixtures.file(daemon: "log_level = \"\(name)\""), file: "test.toml")
        #expect(config.logLevel.rawValue == name)
    }

    @Test func anUnknownLevelIsRefusedWithTheKeyAndTheNames() {
        let error = ConfigFixtures.parseError(ConfigFixtures.file(daemon: "log_level = \"verbose\""))?.description ?? "parsed"
        #expect(error.contains("daemon.log_level"), "\(error)")
        #expect(error.contains("critical, error, warning, notice, info, debug or trace"), "\(error)")
    }

    @Test func theExampleConfigurationSaysInfo() throws {
        #expect(try ConfigLoader.load(path: ConfigFixtures.exampleConfigPath).logLevel == .info)
    }
}
