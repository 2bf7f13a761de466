// One test through the server's state machine, as iperf3's client drives it: the bytes the
// server answers with at each step, which connections become streams (and their ids), how
// results are exchanged, and how a test ends early.
import IperfCore
import Testing

@Suite struct ServerSessionTests {
    static let cookie = TestCookie(CapturedMessages.cookie)!
    static let zeroCPU = CPUUtilization(total: 0, user: 0, system: 0)

    static func frame(_ json: String) -> [UInt8] { JSONFrame.encode(CapturedMessages.bytes(json)) }

    /// A session past CREATE_STREAMS for `parameters`.
    static func session(_ parameters: String) -> ServerSession {
        var session = ServerSession(cookie: cookie, congestion: "cubic")
        _ = session.receive(frame(parameters), now: .zero)
        return session
    }

    /// The JSON the server sent before DISPLAY_RESULTS, decoded.
    static func serverResults(_ actions: [SessionAction]) throws -> TestResults {
        guard case .send(let bytes) = actions.first, bytes.last == ControlState.displayResults.byte else {
            throw SessionError.malformedResults
        }
        guard case .complete(let json, let consumed) = try JSONFrame.parse(bytes.dropLast()[...]), consumed == bytes.count - 1
        else { throw SessionError.malformedResults }
        return try TestResults.decode(json)
    }

    @Test func aForwardTestRunsEveryPhaseInIperf3sOrder() throws {
        var session = ServerSession(cookie: Self.cookie, congestion: "cubic")
        #expect(session.opening == [.send([9])])
        #expect(session.receive(Self.frame(CapturedMessages.forwardParameters), now: .zero) == [.send([10])])
        #expect(session.phase == .creatingStreams)
        let (admission, started) = session.admitStream(Self.cookie, now: .seconds(1))
        #expect(admission == .accepted(StreamAssignment(id: 1, role: .receiving)))
        #expect(started == [.send([1, 2]), .startStreams])
        #expect(session.receive([4], now: .seconds(3)) == [.stopStreams])
        #expect(session.streamsStopped(bytes: [5_000_000], cpu: Self.zeroCPU, now: .milliseconds(3500)) == [.send([13])])
        let displayed = session.receive(Self.frame(CapturedMessages.forwardClientResults), now: .seconds(4))
        let ours = try Self.serverResults(displayed)
        #expect(ours.streams == [StreamResult(id: 1, bytes: 5_000_000, seconds: 2.5)])
        #expect(ours.senderHasRetransmits == -1 && ours.congestionUsed == "cubic" && ours.serverOutputText == nil)
        guard case .finish(.completed(let report)) = session.receive([16], now: .seconds(4)).first else {
            Issue.record("IPERF_DONE did not complete the test")
            return
        }
        #expect(report.total(.receiving) == 5_000_000 && report.seconds == 2.5)
        #expect(report.clientTotal(.receiving) == 945_029_120)
        #expect(report.summary.hasPrefix("direction=client-to-server streams=1 received=5000000 sent=0 seconds=2.50 receive.mbps=16.00"))
        #expect(session.phase == .finished)
    }

    @Test func controlBytesSplitAnywhereGiveTheSameAnswers() {
        var whole = ServerSession(cookie: Self.cookie, congestion: "cubic")
        var split = ServerSession(cookie: Self.cookie, congestion: "cubic")
        let bytes = Self.frame(CapturedMessages.forwardParameters)
        let expected = whole.receive(bytes, now: .zero)
        var actions: [SessionAction] = []
        for byte in bytes { actions += split.receive([byte], now: .zero) }
        #expect(actions == expected && split.phase == .creatingStreams)
    }

    @Test func reverseStreamsAreNumberedOneThreeAndSendAndAThirdIsDenied() {
        var session = Self.session(CapturedMessages.reverseTwoStreamParameters)
        let first = session.admitStream(Self.cookie, now: .zero)
        #expect(first.0 == .accepted(StreamAssignment(id: 1, role: .sending)) && first.1.isEmpty)
        let second = session.admitStream(Self.cookie, now: .zero)
        #expect(second.0 == .accepted(StreamAssignment(id: 3, role: .sending)))
        #expect(second.1 == [.send([1, 2]), .startStreams])
        #expect(session.admitStream(Self.cookie, now: .zero).0 == .denied)
    }

    @Test func bidirectionalAcceptsTheReceivingStreamsFirst() {
        var session = Self.session(#"{"tcp":true,"time":1,"parallel":2,"bidirectional":true}"#)
        let admitted = (0..<4).map { _ in session.admitStream(Self.cookie, now: .zero).0 }
        #expect(admitted == [
            .accepted(StreamAssignment(id: 1, role: .receiving)), .accepted(StreamAssignment(id: 3, role: .receiving)),
            .accepted(StreamAssignment(id: 4, role: .sending)), .accepted(StreamAssignment(id: 5, role: .sending)),
        ])
        #expect(session.phase == .running)
    }

    @Test func aStreamWithAnotherCookieOrBeforeTheParametersIsDenied() {
        var early = ServerSession(cookie: Self.cookie, congestion: "cubic")
        #expect(early.admitStream(Self.cookie, now: .zero).0 == .denied)
        var session = Self.session(CapturedMessages.forwardParameters)
        var other = CapturedMessages.cookie
        other[0] = UInt8(ascii: "z")
        #expect(session.admitStream(TestCookie(other)!, now: .zero).0 == .denied)
        #expect(session.phase == .creatingStreams)
    }

    @Test func udpIsAnsweredWithServerErrorNotImplementedAndEnds() {
        var session = ServerSession(cookie: Self.cookie, congestion: "cubic")
        #expect(session.receive(Self.frame(CapturedMessages.udpParameters), now: .zero) == [
            .send([0xFE, 0, 0, 0, 13, 0, 0, 0, 0]), .finish(.refused(.notTCP)),
        ])
        #expect(session.phase == .finished)
        #expect(session.receive([4], now: .zero).isEmpty)
    }

    @Test func clientTerminateEndsTheTestInAnyPhase() {
        var session = Self.session(CapturedMessages.forwardParameters)
        _ = session.admitStream(Self.cookie, now: .zero)
        #expect(session.receive([12], now: .zero) == [.finish(.clientTerminated)])
        var creating = Self.session(CapturedMessages.forwardParameters)
        #expect(creating.receive([12], now: .zero) == [.finish(.clientTerminated)])
    }

    @Test func aStateTheClientMayNotSendFailsTheTest() {
        var session = Self.session(CapturedMessages.forwardParameters)
        _ = session.admitStream(Self.cookie, now: .zero)
        #expect(session.receive([9], now: .zero) == [.finish(.failed(.unexpectedState(9)))])
        var other = Self.session(CapturedMessages.forwardParameters)
        #expect(other.receive([0x80], now: .zero) == [.finish(.failed(.unexpectedState(0x80)))])
    }

    @Test func theControlClosingMidTestFailsItButAfterTheResultsCompletesIt() throws {
        var running = Self.session(CapturedMessages.forwardParameters)
        _ = running.admitStream(Self.cookie, now: .zero)
        #expect(running.controlClosed() == [.finish(.failed(.controlClosed))])
        var session = Self.session(CapturedMessages.forwardParameters)
        _ = session.admitStream(Self.cookie, now: .zero)
        _ = session.receive([4], now: .seconds(1))
        _ = session.streamsStopped(bytes: [10], cpu: Self.zeroCPU, now: .seconds(1))
        _ = session.receive(Self.frame(CapturedMessages.forwardClientResults), now: .seconds(1))
        guard case .finish(.completed) = session.controlClosed().first else {
            Issue.record("closing after DISPLAY_RESULTS should complete the test")
            return
        }
    }

    @Test func resultsThatArriveWhileTheStreamsStopWaitForExchangeResults() throws {
        var session = Self.session(CapturedMessages.forwardParameters)
        _ = session.admitStream(Self.cookie, now: .zero)
        #expect(session.receive([4] + Self.frame(CapturedMessages.forwardClientResults), now: .seconds(1)) == [.stopStreams])
        let actions = session.streamsStopped(bytes: [7], cpu: Self.zeroCPU, now: .seconds(1))
        #expect(actions.first == .send([13]))
        #expect(try Self.serverResults(Array(actions.dropFirst())).streams.map(\.bytes) == [7])
    }

    @Test func theOmittedStartIsNotMeasuredAndServerOutputIsSentWhenAsked() throws {
        var session = Self.session(#"{"tcp":true,"time":2,"omit":1,"reverse":true,"get_server_output":1}"#)
        _ = session.admitStream(Self.cookie, now: .seconds(10))
        _ = session.receive([4], now: .seconds(13))
        _ = session.streamsStopped(bytes: [4_000_000], cpu: Self.zeroCPU, now: .seconds(13))
        let ours = try Self.serverResults(session.receive(Self.frame(CapturedMessages.reverseClientResults), now: .seconds(13)))
        #expect(ours.streams == [StreamResult(id: 1, bytes: 4_000_000, seconds: 2)])
        #expect(ours.senderHasRetransmits == 0)
        #expect(ours.serverOutputText?.hasPrefix("exo-iperf: direction=server-to-client streams=1 received=0 sent=4000000 seconds=2.00") == true)
    }

    @Test func eachWaitingPhaseHasATimeLimitAndTheRunningOneFollowsTheTestsLength() {
        var session = ServerSession(cookie: Self.cookie, congestion: "cubic")
        #expect(session.phaseTimeLimit == ServerSession.handshakeTimeLimit)
        _ = session.receive(Self.frame(#"{"tcp":true,"time":5,"omit":2}"#), now: .zero)
        _ = session.admitStream(Self.cookie, now: .zero)
        #expect(session.phaseTimeLimit == .seconds(47))
        #expect(session.timedOut() == [.finish(.failed(.timedOut))])
        var byBytes = Self.session(#"{"tcp":true,"time":0,"num":1000000}"#)
        _ = byBytes.admitStream(Self.cookie, now: .zero)
        #expect(byBytes.phaseTimeLimit == nil)
    }

    @Test func aClientThatFloodsTheControlConnectionIsCutOff() {
        var session = Self.session(CapturedMessages.forwardParameters)
        _ = session.admitStream(Self.cookie, now: .zero)
        _ = session.receive([4], now: .zero)
        let flood = [UInt8](repeating: 7, count: JSONFrame.maximumLength + 5)
        #expect(session.receive(flood, now: .zero) == [.finish(.failed(.messageTooLong(flood.count)))])
    }
}
