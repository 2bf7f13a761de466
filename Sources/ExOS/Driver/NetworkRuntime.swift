// The async driver: the stack runs on a thread of its own ("exos-stack") that polls the data
// path and sleeps on its eventfd; tasks call sockets, whose calls take the runtime's lock
// briefly and wait on continuations that the stack thread resumes. No call blocks a thread
// of Swift's cooperative pool.

import ExoPacket
import ExoPlatform
import Foundation
import Synchronization

/// A running network stack for one attached session. Start it with `start(session:options:)`;
/// open sockets with `bindUDP` and pingers with `openPinger`. It stops when the session ends
/// or `stop()` is called; every waiting call then fails.
public final class NetworkRuntime: Sendable {
    let state: Mutex<RuntimeState>
    /// What the stack thread sleeps on outside the lock (the data path's eventfd, duplicated);
    /// application calls wake it through it when they move its next deadline earlier.
    private let sleeper: DataPathSleeper
    /// The control session sockets bind through (nil: an in-process runtime of the tests).
    let session: ExoSession?
    let options: NetworkOptions
    private let nextWaiterID = Atomic<UInt64>(1)

    private init(session: ExoSession?, state: consuming RuntimeState, sleeper: DataPathSleeper, options: NetworkOptions) {
        self.session = session
        self.sleeper = sleeper
        self.options = options
        self.state = Mutex(state)
    }

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
            session: session, state: RuntimeState(stack: stack, device: DataPathDevice(dataPath: path)), sleeper: sleeper,
            options: options)
        let thread = Thread { [runtime] in runtime.run() }
        thread.name = "exos-stack"
        thread.start()
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
        let ready = state.withLock { s in s.stop(.sessionEnded) }
        for resume in ready { resume() }
        sleeper.wake()
    }

    static func now() -> Instant { Instant(nanoseconds: MonotonicClock.nanoseconds()) }

    func makeWaiterID() -> UInt64 { nextWaiterID.add(1, ordering: .relaxed).oldValue }

    /// Runs `body` under the lock at the current time, lets the stack move packets, resumes
    /// whatever became ready (outside the lock: `body` may add to it) and wakes the stack
    /// thread if its sleep would now end too late.
    func withStack<R>(_ body: (inout RuntimeState, Instant, inout [@Sendable () -> Void]) -> R) -> R {
        let (result, ready, wake) = state.withLock { s -> (R, [@Sendable () -> Void], Bool) in
            let now = Self.now()
            var ready: [@Sendable () -> Void] = []
            let result = body(&s, now, &ready)
            if s.stopped == nil { _ = s.pump(now: now, ready: &ready) }
            var wake = false
            if let until = s.sleepingUntil {
                // The stack thread sleeps. This thread's pump consumed from the rings, which
                // clears need-wakeup: set it again, or wake the sleeper if input is already
                // there; and wake it if its sleep would now end after the stack's deadline.
                wake = !s.device.dataPath.rearmForSleeper() || (s.stack.nextDeadline ?? until) < until
            }
            return (result, ready, wake)
        }
        for resume in ready { resume() }
        if wake { sleeper.wake() }
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

    /// The stack thread: passes of `StackThreadSchedule` under the lock, sleeping between.
    private func run() {
        var schedule = StackThreadSchedule(options: options, now: Self.now())
        while true {
            var ready: [@Sendable () -> Void] = []
            let step = state.withLock { s in
                schedule.pass(&s, sessionEnded: { sleeper.sessionEnded }, clock: { Self.now() }, ready: &ready)
            }
            for resume in ready { resume() }
            switch step {
            case .stop: return
            case .again, .spin: continue
            case .sleep(let timeout):
                // A failed wait (the session ended) is seen by the next round.
                try? sleeper.sleep(timeout: timeout)
                state.withLock { s in
                    s.sleepingUntil = nil
                    s.device.dataPath.finishSleep()
                }
            }
        }
    }
}
