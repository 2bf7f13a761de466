// Polling the data path instead of sleeping: for a short window after every wake-up that
// carried packets (always on), or for good (`nic.busy_poll`). Plain loads, no system calls
// but a non-blocking look at the loop's other work every `pollsPerEpoll` polls, or sooner
// when polls that move packets add up to `othersGapNanoseconds`.

import ExoPlatform

/// The loop's polling phase over the data plane; what else the loop must do meanwhile
/// (control sockets, signals, timers) it asks of the daemon through `serveOthers`.
struct DataPathPoller {
    /// Polls of the data path between two non-blocking `epoll_wait`s (control sockets,
    /// signals, timers) while polling. A poll that finds nothing costs well under a
    /// microsecond, so control work waits at most a few hundred microseconds. A TAP has no
    /// ring to look at: with it every poll is also an `epoll_wait(0)`, or its frames would wait.
    static let pollsPerEpoll = 256

    /// The longest the loop's other work waits while polls keep moving packets. A poll that
    /// sends a full batch can take far longer than an empty one (a saturating tx stream made a
    /// metrics scrape or an `exoctl` query wait up to a second behind 256 of them), so the
    /// count alone does not bound the wait. The clock is read once per poll anyway.
    static let othersGapNanoseconds: UInt64 = 1_000_000

    /// How long the loop keeps polling after the data path last had work, before it sleeps
    /// in epoll again. A request/response peer's next packet, or a tenant's answer to the
    /// frame just delivered, usually comes within this window: it is then seen without an
    /// eventfd kick or an epoll wake-up (each a cross-CPU wake-up of ~5-45 µs here), at the
    /// price of at most this much CPU after the last packet of a burst.
    static let windowNanoseconds: UInt64 = 50_000

    let dataPlane: DataPlane

    /// Polls the packet ring and every tx ring until nothing happened for `idleWindow`
    /// nanoseconds (nil: while `isRunning`: busy polling), then hands tx rings back to
    /// need-wakeup and returns. Tx rings ask no kick while polling, so a tenant's flush makes
    /// no system call. When idle it yields the CPU (`sched_yield`) so that other runnable
    /// threads on this CPU — the tenant, the peer — still run on a busy machine.
    /// `afterWork` runs after each poll that moved packets; `serveOthers` is the loop's
    /// non-blocking turn, and returns whether it moved packets too.
    func run(idleWindow: UInt64?, isRunning: () -> Bool, afterWork: () -> Void, serveOthers: () -> Bool) {
        dataPlane.startPolling()
        var lastWork = MonotonicClock.nanoseconds()
        var lastOthers = lastWork
        let pollsPerEpoll = dataPlane.hasPollableRing ? Self.pollsPerEpoll : 1
        var polls = 0
        while isRunning() {
            let now: UInt64
            if dataPlane.pollDataPath() {
                afterWork()
                now = MonotonicClock.nanoseconds()
                lastWork = now
            } else {
                now = MonotonicClock.nanoseconds()
                if let idleWindow, now &- lastWork > idleWindow {
                    // Need-wakeup armed on every tx ring; a tenant that posted meanwhile is served.
                    if dataPlane.stopPolling() { break }
                    dataPlane.startPolling()
                    lastWork = MonotonicClock.nanoseconds()
                    continue
                }
                ProcessIdentity.yieldProcessor()
            }
            polls += 1
            if polls < pollsPerEpoll && now &- lastOthers < Self.othersGapNanoseconds { continue }
            polls = 0
            if serveOthers() { lastWork = MonotonicClock.nanoseconds() }
            lastOthers = MonotonicClock.nanoseconds()
        }
    }
}
