// The runtime's stack thread ("exos-stack"): one per data path. It polls, spins and sleeps
// as `StackThreadSchedule` says, and ends when the runtime stops or the session ends, when
// it hands over to the runtime's `DaemonLink` (reattach, or stop).

import Foundation

/// Starts and runs a runtime's stack thread.
enum StackThread {
    /// Starts a thread over the runtime's current data path.
    static func start(_ runtime: NetworkRuntime) {
        let thread = Thread { run(runtime) }
        thread.name = "exos-stack"
        thread.start()
    }

    /// Passes of `StackThreadSchedule` under the runtime's lock, sleeping between on this
    /// data path's sleeper (a reattachment brings another thread with another sleeper).
    private static func run(_ runtime: NetworkRuntime) {
        var schedule = StackThreadSchedule(options: runtime.options, now: NetworkRuntime.now())
        let sleeper = runtime.state.withLock { $0.sleeper }
        while true {
            var ready: [@Sendable () -> Void] = []
            let step = runtime.state.withLock { s in
                schedule.pass(&s, sessionEnded: { sleeper.sessionEnded }, clock: { NetworkRuntime.now() }, ready: &ready)
            }
            for resume in ready { resume() }
            switch step {
            case .stop: return
            case .sessionEnded:
                // This thread's last act: its data path is dead.
                if let daemon = runtime.daemon { daemon.sessionEnded(runtime) } else { runtime.stop() }
                return
            case .again, .spin: continue
            case .sleep(let timeout):
                // A failed wait (the session ended) is seen by the next round.
                try? sleeper.sleep(timeout: timeout)
                runtime.state.withLock { s in
                    s.sleepingUntil = nil
                    s.device.dataPath.finishSleep()
                }
            }
        }
    }
}
