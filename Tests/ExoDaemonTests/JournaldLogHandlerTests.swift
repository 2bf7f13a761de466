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
}
