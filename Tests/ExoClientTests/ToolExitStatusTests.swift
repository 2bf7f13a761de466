// Specification of the exit statuses exoctl and the clients promise to scripts:
// 0 ok, 1 refused, 2 usage, 3 unreachable, 4 not permitted, 5 protocol error.

import ExoClient
import ExoPlatform
import ExoWire
import Testing

@Suite struct ToolExitStatusTests {
    @Test func statusNumbersAreStable() {
        #expect(ToolExitStatus.allCases.map(\.rawValue) == [0, 1, 2, 3, 4, 5])
    }

    @Test func unreachableDaemonIsThree() {
        let error = ExoClientError.unreachable(path: "/nope", SystemError(operation: "connect", errno: 2))
        #expect(ToolExitStatus(error) == .unreachable)
    }

    @Test func identityRefusalsAreNotPermitted() {
        #expect(ToolExitStatus(.refused(.notOperator, detail: "")) == .notPermitted)
        #expect(ToolExitStatus(.refused(.notPermitted, detail: "uid 1000")) == .notPermitted)
    }

    @Test func everyOtherRefusalIsOne() {
        for code in ExoError.allCases where code != .notOperator && code != .notPermitted {
            #expect(ToolExitStatus(.refused(code, detail: "x")) == .refused, "\(code)")
        }
    }

    @Test func protocolFaultsAreFive() {
        #expect(ToolExitStatus(.protocolViolation("bad")) == .protocolError)
        #expect(ToolExitStatus(.disconnected) == .protocolError)
        #expect(ToolExitStatus(.mapFailed(frame: 3, SystemError(operation: "mmap", errno: 13))) == .protocolError)
    }

    @Test func requestsThatCannotBeEncodedAreUsageErrors() {
        #expect(ToolExitStatus(.invalidRequest("name too long")) == .usage)
    }
}
