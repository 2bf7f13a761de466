// One iperf3 test as the server runs it, without I/O: bytes from the control connection,
// stream connections and the streams' counts go in; bytes to send and what to do with the
// streams come out. The phases follow iperf_server_api.c: PARAM_EXCHANGE, the client's
// parameters, CREATE_STREAMS, the streams (each sending the cookie), TEST_START and
// TEST_RUNNING, the client's TEST_END, EXCHANGE_RESULTS, the client's results, ours,
// DISPLAY_RESULTS, the client's IPERF_DONE.

/// What the I/O around a session does next, in order.
public enum SessionAction: Equatable, Sendable {
    /// Write these bytes on the control connection.
    case send([UInt8])
    /// Every stream is connected: start reading and writing them.
    case startStreams
    /// The client ended the test: stop the streams, then call `streamsStopped`.
    case stopStreams
    /// The test is over: close the streams and the control connection.
    case finish(SessionOutcome)
}

/// How a test ended.
public enum SessionOutcome: Equatable, Sendable {
    /// Results exchanged; the report has both sides.
    case completed(TestReport)
    /// The parameters were refused (the client was sent SERVER_ERROR).
    case refused(ParameterError)
    /// The client sent CLIENT_TERMINATE (or IPERF_DONE before the results).
    case clientTerminated
    case failed(SessionError)
}

/// Whether a connection that sent this test's cookie is one of its streams.
public enum StreamAdmission: Equatable, Sendable {
    case accepted(StreamAssignment)
    /// Not expected now: send ACCESS_DENIED and close it.
    case denied
}

/// The server's side of one test.
public struct ServerSession: Sendable {
    public enum Phase: Equatable, Sendable {
        case awaitingParameters, creatingStreams, running, stopping, awaitingClientResults, displayingResults, finished
    }

    /// Each phase that waits for the client may take this long (the running phase: the
    /// test's length, its omitted start and iperf3's own grace of 40 s).
    public static let handshakeTimeLimit: Duration = .seconds(10)
    public static let runningGrace: Duration = .seconds(40)

    public let cookie: TestCookie
    /// The congestion control this server's streams use (reported to the client).
    public let congestion: String
    public private(set) var phase: Phase = .awaitingParameters
    public private(set) var plan: TestPlan?
    public private(set) var streams: [StreamAssignment] = []
    /// Control bytes received and not yet used (bounded by a JSON frame's length).
    private var buffer: [UInt8] = []
    private var measurementStart: Duration = .zero
    private var report: TestReport?
    private var serverCPU = CPUUtilization(total: 0, user: 0, system: 0)

    /// A session for the control connection that sent `cookie`. Send `opening` first.
    public init(cookie: TestCookie, congestion: String) {
        self.cookie = cookie
        self.congestion = congestion
    }

    /// PARAM_EXCHANGE: what the server sends once it accepted the control connection.
    public var opening: [SessionAction] { [.send([ControlState.parameterExchange.byte])] }

    /// How long the current phase may last before `timedOut()`; nil: no limit here.
    public var phaseTimeLimit: Duration? {
        switch phase {
        case .awaitingParameters, .creatingStreams, .awaitingClientResults, .displayingResults:
            return Self.handshakeTimeLimit
        case .running:
            guard let plan, plan.duration > 0 else { return nil }
            return .seconds(plan.duration + plan.omit) + Self.runningGrace
        case .stopping, .finished:
            return nil
        }
    }

    /// Bytes from the control connection; `now` is any monotonic time (the same clock for
    /// every call).
    public mutating func receive(_ bytes: some Sequence<UInt8>, now: Duration) -> [SessionAction] {
        guard phase != .finished else { return [] }
        buffer.append(contentsOf: bytes)
        // A client may send one JSON frame at a time; more than that waiting is not iperf3.
        guard buffer.count <= 4 + JSONFrame.maximumLength else { return finish(.failed(.messageTooLong(buffer.count))) }
        var actions: [SessionAction] = []
        while phase != .finished, let step = nextStep(now: now) {
            actions += step
        }
        return actions
    }

    /// A connection that sent `cookie` while this test exists: one of its streams, or not.
    public mutating func admitStream(_ cookie: TestCookie, now: Duration) -> (StreamAdmission, [SessionAction]) {
        guard phase == .creatingStreams, cookie == self.cookie, let plan else { return (.denied, []) }
        let role: StreamRole = streams.count < plan.receivingStreams ? .receiving : .sending
        // iperf_add_stream numbers streams 1, 3, 4, 5, ... (it never gives 2); the client
        // numbers its own the same way, in the same order, and looks results up by id.
        let assignment = StreamAssignment(id: streams.isEmpty ? 1 : streams.count + 2, role: role)
        streams.append(assignment)
        guard streams.count == plan.receivingStreams + plan.sendingStreams else { return (.accepted(assignment), []) }
        phase = .running
        measurementStart = now + .seconds(plan.omit)
        return (.accepted(assignment), [
            .send([ControlState.testStart.byte, ControlState.testRunning.byte]), .startStreams,
        ])
    }

    /// After `.stopStreams`: each stream's bytes (in `streams` order) counted after the
    /// omitted start, and the CPU use over the test. Sends EXCHANGE_RESULTS.
    public mutating func streamsStopped(bytes: [UInt64], cpu: CPUUtilization, now: Duration) -> [SessionAction] {
        guard phase == .stopping, let plan, bytes.count == streams.count else { return [] }
        let seconds = max(0, CPUUtilization.seconds(now - measurementStart))
        report = TestReport(plan: plan, streams: streams, bytes: bytes, seconds: seconds)
        serverCPU = cpu
        phase = .awaitingClientResults
        return [.send([ControlState.exchangeResults.byte])] + receive([], now: now)
    }

    /// The results message the server sends (after the client's).
    public func serverResults(cpu: CPUUtilization) -> TestResults? {
        guard let report else { return nil }
        let lines = zip(report.streams, report.bytes).map { StreamResult(id: $0.id, bytes: $1, seconds: report.seconds) }
        return TestResults(
            cpu: cpu, senderHasRetransmits: report.plan.sendingStreams > 0 ? 0 : -1, congestionUsed: congestion,
            serverOutputText: report.plan.sendsServerOutput ? "exo-iperf: \(report.summary)\n" : nil, streams: lines)
    }

    /// The control connection ended (end of stream or an error).
    public mutating func controlClosed() -> [SessionAction] {
        switch phase {
        case .finished: return []
        case .displayingResults: return completed()
        default: return finish(.failed(.controlClosed))
        }
    }

    /// The phase outlasted `phaseTimeLimit`.
    public mutating func timedOut() -> [SessionAction] {
        phase == .finished ? [] : finish(.failed(.timedOut))
    }

    // MARK: Phases

    /// One message's worth of progress, or nil when the buffer does not hold the next message.
    private mutating func nextStep(now: Duration) -> [SessionAction]? {
        switch phase {
        case .awaitingParameters, .awaitingClientResults:
            let json: [UInt8]
            do throws(SessionError) {
                guard case .complete(let frame, let consumed) = try JSONFrame.parse(buffer[...]) else { return nil }
                buffer.removeFirst(consumed)
                json = frame
            } catch {
                return finish(.failed(error))
            }
            return phase == .awaitingParameters ? parameters(json) : clientResults(json)
        case .creatingStreams, .running, .displayingResults:
            guard !buffer.isEmpty else { return nil }
            return state(buffer.removeFirst())
        case .stopping, .finished:
            // Nothing is due from the client until EXCHANGE_RESULTS; keep what came.
            return nil
        }
    }

    private mutating func parameters(_ json: [UInt8]) -> [SessionAction] {
        do throws(ParameterError) {
            plan = try TestParameters.decode(json).plan()
        } catch {
            return [.send(error.code.message)] + finish(.refused(error))
        }
        phase = .creatingStreams
        return [.send([ControlState.createStreams.byte])]
    }

    private mutating func clientResults(_ json: [UInt8]) -> [SessionAction] {
        do throws(SessionError) {
            report?.clientResults = try TestResults.decode(json)
        } catch {
            return finish(.failed(error))
        }
        phase = .displayingResults
        let ours = serverResults(cpu: serverCPU)?.encoded() ?? []
        return [.send(JSONFrame.encode(ours) + [ControlState.displayResults.byte])]
    }

    /// A state byte from the client.
    private mutating func state(_ byte: UInt8) -> [SessionAction] {
        switch (ControlState(byte: byte), phase) {
        case (.testEnd, .running):
            phase = .stopping
            return [.stopStreams]
        case (.iperfDone, .displayingResults):
            return completed()
        case (.clientTerminate, _), (.iperfDone, _):
            return finish(.clientTerminated)
        default:
            return finish(.failed(.unexpectedState(byte)))
        }
    }

    private mutating func completed() -> [SessionAction] {
        // `report` is set before the phase reaches displayingResults.
        finish(report.map { .completed($0) } ?? .failed(.controlClosed))
    }

    private mutating func finish(_ outcome: SessionOutcome) -> [SessionAction] {
        phase = .finished
        buffer = []
        return [.finish(outcome)]
    }
}
