// Specification of the daemon's log lines: journald's "<N>" priority per swift-log level,
// then the message, then metadata in key order.

@testable import ExoDaemon
import Logging
import Testing

@Suite struct JournaldLogHandlerTests {
    @Test func levelsMapToSyslogPriorities() {
        let expected: [(Logger.Level, Int)] = [
            (.critical, 2), (.error, 3), (.warning, 4), (.notice, 5), (.info, 6), (.debug, 7), (.trace, 7),
        ]
        for (level, priority) in expected {
            #expect(JournaldLogHandler.priority(level) == priority, "\(level)")
        }
    }

    @Test func aLineIsPriorityMessageThenSortedMetadata() {
        let line = JournaldLogHandler.line(.warning, "link down", ["tenant": "bob", "session": "4"])
        #expect(line == "<4>link down session=4 tenant=bob")
    }

    @Test func aLineAboutATenantsSessionCarriesBothAsFields() {
        let line = JournaldLogHandler.line(.info, "session 7 ended", Log.about(session: 7, tenant: "alice"))
        #expect(line == "<6>session 7 ended session=7 tenant=alice")
        #expect(Log.about(session: 8) == ["session": "8"])
    }
}
