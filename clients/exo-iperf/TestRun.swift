// One test: a loop over everything that happens to it (control bytes, stream connections,
// timers) that feeds the pure `ServerSession` and carries out what it answers. Everything
// the test writes on its control connection is written from this one loop, in order.

import ExOS
import IperfCore

final class TestRun: Sendable {
    enum Event: Sendable {
        case control([UInt8])
        case controlEnded
        case stream(TCPConnection, TestCookie)
        /// The phase numbered `generation` outlasted its time limit.
        case phaseExpired(generation: Int)
        case omitEnded
    }

    private let control: TCPConnection
    private let cookie: TestCookie
    private let events: AsyncStream<Event>
    private let input: AsyncStream<Event>.Continuation

    init(control: TCPConnection, cookie: TestCookie) {
        self.control = control
        self.cookie = cookie
        (events, input) = AsyncStream.makeStream(of: Event.self)
    }

    /// Offers a connection that sent `cookie` to this test; false once the test has ended
    /// (it took the connection only if true).
    func offer(_ connection: TCPConnection, cookie: TestCookie) -> Bool {
        if case .enqueued = input.yield(.stream(connection, cookie)) { return true }
        return false
    }

    /// Runs the test to its end; closes every connection it took.
    func run() async -> SessionOutcome {
        let clock = ContinuousClock(), origin = clock.now
        var session = ServerSession(cookie: cookie, congestion: "cubic")
        var streams = StreamSet()
        var timer = PhaseTimer(input: input)
        let reader = Task { [control, input] in
            while let bytes = try? await control.read(), !bytes.isEmpty { input.yield(.control(bytes)) }
            input.yield(.controlEnded)
        }
        var outcome: SessionOutcome?
        var pending = session.opening
        timer.arm(session.phaseTimeLimit)
        var events = self.events.makeAsyncIterator()
        while outcome == nil {
            // Carry out what the session asked for; some steps answer with more.
            while !pending.isEmpty && outcome == nil {
                switch pending.removeFirst() {
                case .send(let bytes):
                    do throws(NetworkError) {
                        try await control.write(bytes)
                    } catch {
                        pending = session.controlClosed()
                    }
                case .startStreams:
                    if let plan = session.plan {
                        streams.start(blockSize: plan.blockSize, now: clock.now)
                        announce(plan, streams: session.streams)
                        if plan.omit > 0 { timer.schedule(.omitEnded, after: .seconds(plan.omit)) }
                    }
                case .stopStreams:
                    let (bytes, cpu) = await streams.stop(now: clock.now)
                    // Closed now, as iperf3's server closes them at TEST_END: the client,
                    // blocking by then, reads its last block until this FIN.
                    await streams.close()
                    pending += session.streamsStopped(bytes: bytes, cpu: cpu, now: clock.now - origin)
                case .finish(let ended):
                    outcome = ended
                }
            }
            if outcome != nil { break }
            let phase = session.phase
            guard let event = await events.next() else { break }
            let now = clock.now - origin
            switch event {
            case .control(let bytes): pending = session.receive(bytes, now: now)
            case .controlEnded: pending = session.controlClosed()
            case .stream(let connection, let offered):
                let (admission, actions) = session.admitStream(offered, now: now)
                if case .accepted(let assignment) = admission {
                    streams.add(connection, assignment)
                } else {
                    Self.deny(connection)
                }
                pending = actions
            case .phaseExpired(let generation):
                if generation == timer.generation { pending = session.timedOut() }
            case .omitEnded:
                streams.markOmitEnd(now: clock.now)
            }
            if session.phase != phase { timer.arm(session.phaseTimeLimit) }
        }
        // No connection may be left in the stream once it is finished: deny what is queued.
        input.finish()
        timer.cancel()
        while let event = await events.next() {
            if case .stream(let connection, _) = event { Self.deny(connection) }
        }
        reader.cancel()
        await streams.close()
        await control.close()
        let final = outcome ?? .failed(.controlClosed)
        report(final)
        return final
    }

    /// ACCESS_DENIED and close, as iperf3 answers a connection it does not serve.
    static func deny(_ connection: TCPConnection) {
        Task {
            try? await connection.write([ControlState.accessDenied.byte])
            await connection.close()
        }
    }

    private var peer: String { control.info.map { "\($0.remote)" } ?? "?" }

    private func announce(_ plan: TestPlan, streams: [StreamAssignment]) {
        StandardStreams.print(
            "exo-iperf: test from \(peer): tcp, \(plan.streams) stream\(plan.streams == 1 ? "" : "s") per direction, "
                + "\(plan.direction.rawValue), \(plan.duration > 0 ? "\(plan.duration) s" : "by bytes")")
    }

    private func report(_ outcome: SessionOutcome) {
        switch outcome {
        case .completed(let report): StandardStreams.print("exo-iperf: result \(report.summary)")
        case .refused(let why): StandardStreams.print("exo-iperf: test from \(peer) refused (\(why), iperf3 error \(why.code.rawValue))")
        case .clientTerminated: StandardStreams.print("exo-iperf: test from \(peer) ended by the client")
        case .failed(let why): StandardStreams.printError("exo-iperf: test from \(peer) failed: \(why)")
        }
    }
}

/// The timer of the session's current phase (and the omit timer): each fires an event into
/// the test's loop; re-arming cancels the previous phase's timer, and its generation makes an
/// event it already sent stale.
struct PhaseTimer {
    let input: AsyncStream<TestRun.Event>.Continuation
    private(set) var generation = 0
    private var phaseTask: Task<Void, Never>?
    private var others: [Task<Void, Never>] = []

    init(input: AsyncStream<TestRun.Event>.Continuation) { self.input = input }

    /// A new phase that may last `limit` (nil: no limit).
    mutating func arm(_ limit: Duration?) {
        generation += 1
        phaseTask?.cancel()
        phaseTask = limit.map { signal(.phaseExpired(generation: generation), after: $0) }
    }

    /// `event` after `delay` (once).
    mutating func schedule(_ event: TestRun.Event, after delay: Duration) {
        others.append(signal(event, after: delay))
    }

    func cancel() {
        phaseTask?.cancel()
        for task in others { task.cancel() }
    }

    private func signal(_ event: TestRun.Event, after delay: Duration) -> Task<Void, Never> {
        Task { [input] in
            if (try? await Task.sleep(for: delay)) != nil { input.yield(event) }
        }
    }
}
