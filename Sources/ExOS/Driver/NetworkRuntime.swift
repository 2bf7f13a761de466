// The async driver: the stack runs on a thread of its own ("exos-stack") that polls the data
// path and sleeps on its eventfd; tasks call sockets, whose calls take the runtime's lock
// briefly and wait on continuations that the stack thread resumes. No call blocks a thread
// of Swift's cooperative pool.

import ExoPacket
import ExoPlatform
import Foundation
import Synchronization

/// A running network stack for one attached session. Start it with `start(session:options:)`;
/// open sockets with `bindUDP` and pingers with `openPinger`. When the session ends it
/// attaches again (`NetworkOptions.reattach`, `events`); it stops when it gives up or
/// `stop()` is called, and every waiting call then fails.
public final class NetworkRuntime: Sendable {
    let state: Mutex<RuntimeState>
    /// The session with exokerneld and what it set up there, kept across daemon restarts
    /// (filters: `daemon?.installFilter`). Nil: an in-process runtime of the tests.
    public let daemon: DaemonLink?
    let options: NetworkOptions
    private let nextWaiterID = Atomic<UInt64>(1)

    private init(daemon: DaemonLink?, state: consuming RuntimeState, options: NetworkOptions) {
        self.daemon = daemon
        self.options = options
        self.state = Mutex(state)
    }

    /// The session sockets bind through now (a new one after each reattachment).
    var session: ExoSession? { daemon?.session }

    /// What happens to the runtime's session: `daemonLost`, `reattached`, `gaveUp` (one
    /// consumer; finishes when the runtime stops). Empty for a runtime without a session.
    public var events: AsyncStream<NetworkEvent> { daemon?.events ?? AsyncStream { $0.finish() } }

    /// Sets up `session`'s data path (`RuntimeDataPath`: frames, rings, whole-address
    /// bindings) and starts the stack thread. The session must not have opened its data path yet.
    public static func start(session: ExoSession, options: NetworkOptions = NetworkOptions()) async throws(NetworkError)
        -> NetworkRuntime
    {
        let opened = try await RuntimeDataPath.open(session: session, options: options)
        let configuration = StackConfiguration(
            dataPath: opened.info, limits: options.limits, secret: .random(in: 0...UInt64.max),
            sequenceSecret: options.sequenceSecret)
        return try launch(session: session, path: opened.path, configuration: configuration, options: options)
    }

    /// A runtime over a data path whose frames are already adopted, with no session: sockets
    /// on shared addresses are not bound at a daemon. For in-process tests.
    static func start(path: DataPath, configuration: StackConfiguration, options: NetworkOptions = NetworkOptions())
        throws(NetworkError) -> NetworkRuntime
    {
        try launch(session: nil, path: path, configuration: configuration, options: options)
    }

    private static func launch(
        session: ExoSession?, path: DataPath, configuration: StackConfiguration, options: NetworkOptions
    ) throws(NetworkError) -> NetworkRuntime {
        let sleeper: DataPathSleeper
        do throws(SystemError) {
            sleeper = try path.makeSleeper()
        } catch {
            throw .setup("\(error)")
        }
        let stack = NetworkStack(configuration: configuration, now: Self.now())
        let runtime = NetworkRuntime(
            daemon: session.map { DaemonLink(session: $0, options: options) },
            state: RuntimeState(stack: stack, device: DataPathDevice(dataPath: path), sleeper: sleeper), options: options)
        StackThread.start(runtime)
        return runtime
    }


    /// The stack's addresses (owned whole, or shared by port), as the daemon granted them.
    public var addresses: [LocalAddress] { state.withLock { $0.stack.addresses } }

    /// The stack's counters: what it received, sent and dropped (by reason).
    public var counters: StackCounters { state.withLock { $0.stack.counters } }

    /// Largest UDP payload a datagram may carry on this link.
    public var maximumUDPPayload: Int { state.withLock { $0.stack.maximumUDPPayload } }

    /// Stops the stack thread; every waiting call fails with `.sessionEnded`. The session
    /// stays open (close it to give the frames back). Idempotent.
    public func stop() {
        let (ready, sleeper) = state.withLock { s in (s.stop(.sessionEnded), s.sleeper) }
        for resume in ready { resume() }
        sleeper.wake()
        daemon?.finish()
    }

    static func now() -> Instant { Instant(nanoseconds: MonotonicClock.nanoseconds()) }

    func makeWaiterID() -> UInt64 { nextWaiterID.add(1, ordering: .relaxed).oldValue }

    /// Runs `body` under the lock at the current time, lets the stack move packets, resumes
    /// whatever became ready (outside the lock: `body` may add to it) and wakes the stack
    /// thread if its sleep would now end too late.
    func withStack<R>(_ body: (inout RuntimeState, Instant, inout [@Sendable () -> Void]) -> R) -> R {
        let (result, ready, wake) = state.withLock { s -> (R, [@Sendable () -> Void], DataPathSleeper?) in
            let now = Self.now()
            var ready: [@Sendable () -> Void] = []
            let result = body(&s, now, &ready)
            // Detached: the rings are nobody's until a reattachment brings new ones.
            if s.stopped == nil && !s.detached { _ = s.pump(now: now, ready: &ready) }
            var wake = false
            if let until = s.sleepingUntil, !s.detached {
                // The stack thread sleeps. This thread's pump consumed from the rings, which
                // clears need-wakeup: set it again, or wake the sleeper if input is already
                // there; and wake it if its sleep would now end after the stack's deadline.
                wake = !s.device.dataPath.rearmForSleeper() || (s.stack.nextDeadline ?? until) < until
            }
            return (result, ready, wake ? s.sleeper : nil)
        }
        for resume in ready { resume() }
        wake?.wake()
        return result
    }

    /// Waits for one value: `register` answers at once (a result) or stores the waiter it is
    /// given and returns nil; the stack thread (or another call) resumes it later. If the task
    /// is cancelled, `remove` takes the waiter out again and it fails with `.cancelled`.
    func suspend<Value: Sendable>(
        _ register: (inout RuntimeState, Waiter<Value>, Instant) -> Result<Value, NetworkError>?,
        remove: @escaping @Sendable (inout RuntimeState, UInt64) -> Waiter<Value>?
    ) async -> Result<Value, NetworkError> {
        let id = makeWaiterID()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<Value, NetworkError>, Never>) in
                let waiter = Waiter(id: id, continuation: continuation)
                let immediate = withStack { s, now, _ -> Result<Value, NetworkError>? in
                    if let stopped = s.stopped { return .failure(stopped) }
                    if Task.isCancelled { return .failure(.cancelled) }
                    return register(&s, waiter, now)
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let removed = state.withLock { s in remove(&s, id) }
            removed?.resume(.failure(.cancelled))()
        }
    }
}
