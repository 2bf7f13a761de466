// The daemon as a systemd service: SIGTERM/SIGINT end it, SIGHUP reloads its configuration,
// READY/RELOADING/STOPPING/WATCHDOG go to the service manager when one asked for them.

import ExoPlatform

/// What the pending signals ask of the loop.
struct SignalRequests: Equatable {
    /// SIGTERM or SIGINT: stop.
    var stop = false
    /// SIGHUP: read the configuration file again (once, however many arrived).
    var reload = false
}

/// What the loop asks of the process's signals and its service manager. The daemon's is
/// `ServiceManagerLink`; an in-process test gives one that blocks no signal and talks to no
/// service manager (a test process's signals are its test runner's).
protocol ServiceManagement: AnyObject {
    /// The signalfd the loop watches (`WakeSource.signals`); nil: no signal stops this loop.
    var signalDescriptor: Int32? { get }
    /// The watchdog timer the loop watches (`WakeSource.watchdog`); nil: no watchdog.
    var watchdogDescriptor: Int32? { get }
    /// Called once as the loop starts.
    func armWatchdog()
    /// The watchdog timer fired; `ping`: the data path is healthy (DataPathWatchdog), so
    /// the service manager hears the daemon is alive. Withheld, systemd restarts it once
    /// `WatchdogSec` passes without one.
    func watchdogFired(ping: Bool)
    /// Reads the pending signals; returns what they ask.
    func takeSignals() -> SignalRequests
    /// Tells the service manager `state` (sd_notify's "READY=1", "STOPPING=1", ...).
    func notify(_ state: String)
}

/// Signals, the watchdog timer and sd_notify. Owned by the loop (one thread).
final class ServiceManagerLink: ServiceManagement {
    let signals: SignalFD
    let watchdogTimer: TimerFD
    private let notifier: SystemdNotifier?

    init() throws(SystemError) {
        ProcessIdentity.ignoreBrokenPipe()
        signals = try SignalFD(signals: [SignalNumber.terminate, SignalNumber.interrupt, SignalNumber.hangUp])
        watchdogTimer = try TimerFD()
        notifier = SystemdNotifier.fromEnvironment()
    }

    var signalDescriptor: Int32? { signals.fd }
    var watchdogDescriptor: Int32? { watchdogTimer.fd }

    /// Arms the watchdog if the service manager asked for one: a ping at half the interval,
    /// as sd_watchdog_enabled(3) recommends.
    func armWatchdog() {
        guard let interval = SystemdNotifier.watchdogIntervalMicroseconds(), interval > 0 else { return }
        let half = interval * 500
        watchdogTimer.arm(initialNanoseconds: half, intervalNanoseconds: half)
    }

    /// The watchdog timer fired: tell the service manager the loop and the data path are
    /// alive, unless the data path is stuck.
    func watchdogFired(ping: Bool) {
        _ = watchdogTimer.drain()
        if ping { notify("WATCHDOG=1") }
    }

    /// Reads the pending signals; returns what they ask.
    func takeSignals() -> SignalRequests {
        var requests = SignalRequests()
        while let signo = signals.next() {
            switch signo {
            case SignalNumber.terminate, SignalNumber.interrupt:
                Log.info("signal \(signo): shutting down")
                requests.stop = true
            case SignalNumber.hangUp:
                Log.info("signal \(signo): reloading the configuration")
                requests.reload = true
            default:
                Log.info("signal \(signo) ignored")
            }
        }
        return requests
    }

    func notify(_ state: String) {
        guard let notifier else { return }
        do { try notifier.send(state) } catch { Log.warning("sd_notify failed: \(error)") }
    }
}
