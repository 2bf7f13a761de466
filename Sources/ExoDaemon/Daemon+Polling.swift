// Polling the data path instead of sleeping: for a short window after every wake-up that
// carried packets (always on), or for good (`nic.busy_poll`). Plain loads, no system calls.

import ExoPlatform

extension Daemon {
    /// Polls of the data path between two non-blocking `epoll_wait`s (control sockets,
    /// signals, timers) while polling. A poll that finds nothing costs well under a
    /// microsecond, so control work waits at most a few hundred microseconds. A TAP has no
    /// ring to look at: with it every poll is also an `epoll_wait(0)`, or its frames would wait.
    static let pollsPerEpoll = 256

    /// How long the loop keeps polling after the data path last had work, before it sleeps
    /// in epoll again. A request/response peer's next packet, or a tenant's answer to the
    /// frame just delivered, usually comes within this window: it is then seen without an
    /// eventfd kick or an epoll wake-up (each a cross-CPU wake-up of ~5-45 µs here), at the
    /// price of at most this much CPU after the last packet of a burst.
    static let pollWindowNanoseconds: UInt64 = 50_000

    /// Polls the packet ring and every tx ring until nothing happened for `idleWindow`
    /// nanoseconds (nil: until the daemon stops: busy polling), then hands tx rings back to
    /// need-wakeup and returns. Tx rings ask no kick while polling, so a tenant's flush makes
    /// no system call. When idle it yields the CPU (`sched_yield`) so that other runnable
    /// threads on this CPU — the tenant, the peer — still run on a busy machine.
    func poll(idleWindow: UInt64?) {
        dataPlane.startPolling()
        var lastWork = MonotonicClock.nanoseconds()
        let pollsPerEpoll = dataPlane.hasPollableRing ? Self.pollsPerEpoll : 1
        var polls = 0
        while running {
            if dataPlane.pollDataPath() {
                deliverFaults()
                lastWork = MonotonicClock.nanoseconds()
            } else {
                if let idleWindow, MonotonicClock.nanoseconds() &- lastWork > idleWindow {
                    // Need-wakeup armed on every tx ring; a tenant that posted meanwhile is served.
                    if dataPlane.stopPolling() { break }
                    dataPlane.startPolling()
                    lastWork = MonotonicClock.nanoseconds()
                    continue
                }
                ProcessIdentity.yieldProcessor()
            }
            polls += 1
            if polls < pollsPerEpoll { continue }
            polls = 0
            dataPathWoke = false
            do {
                try reactor.wait(timeoutMilliseconds: 0) { source, events in
                    self.serve(source, events: events)
                }
            } catch {
                Log.error("epoll_wait failed: \(error)")
                running = false
            }
            serveControlTurns()
            if dataPathWoke { lastWork = MonotonicClock.nanoseconds() }
            expireHandshakes()
        }
    }
}
