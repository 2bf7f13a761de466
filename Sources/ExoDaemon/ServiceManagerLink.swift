// The daemon as a systemd service: SIGTERM/SIGINT end it, SIGHUP is ignored (no reload),
// READY/STOPPING/WATCHDOG go to the service manager when one asked for them.

import ExoPlatform

/// Signals, the watchdog timer and sd_notify. Owned by the loop (one thread).
final class ServiceManagerLink {
    let signals: SignalFD
    let watchdogTimer: TimerFD
    private let notifier: SystemdNotifier?

    init() throws(SystemError) {
        ProcessIdentity.ignoreBrokenPipe()
        signals = try SignalFD(signals: [SignalNumber.terminate, SignalNumber.interrupt, SignalNumber.hangUp])
        watchdogTimer = try TimerFD()
        notifier = SystemdNotifier.fromEnvironment()
    }

    /// Arms the watchdog if the service manager asked for one: a ping at half the interval,
    /// as sd_watchdog_enabled(3) recommends.
    func armWatchdog() {
        guard let interval = SystemdNotifier.watchdogIntervalMicroseconds(), interval > 0 else { return }
        let half = interval * 500
        watchdogTimer.arm(initialNanoseconds: half, intervalNanoseconds: half)
    }

    /// The watchdog timer fired: tell the service manager the loop is alive.
    func watchdogFired() {
        _ = watchdogTimer.drain()
        notify("WATCHDOG=1")
    }

    /// Reads the pending signals; returns whether one asks the daemon to stop.
    func takeSignals() -> Bool {
        var stop = false
        while let signo = signals.next() {
            switch signo {
            case SignalNumber.terminate, SignalNumber.interrupt:
                Log.info("signal \(signo): shutting down")
                stop = true
            default:
                Log.info("signal \(signo) ignored (configuration reload is not supported; restart instead)")
            }
        }
        return stop
    }

    func notify(_ state: String) {
        guard let notifier else { return }
        do { try notifier.send(state) } catch { Log.warning("sd_notify failed: \(error)") }
    }
}
