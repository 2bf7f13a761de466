// The two timers that make a connection send a probe the data alone would not: the persist
// timer's window probes (RFC 9293 §3.8.6.1) and keep-alive probes (RFC 1122 §4.2.3.6). Each
// keeps its deadline, its back-off or count, and whether a probe is owed on the next turn; the
// connection decides when each runs.

/// The persist timer: while the peer's window holds data back and nothing in flight will
/// bring a window update, probe it, backing off up to a minute apart.
struct PersistTimer {
    var deadline: Instant?
    private var backOff = 0
    /// Probes sent since the window last opened (an answer that keeps it shut does not count
    /// as opening it).
    private(set) var probesSent = 0
    /// Send a window probe on the next turn.
    var probeOwed = false

    /// Runs the timer while `needed`, from the back-off reached; stops and resets it otherwise.
    mutating func update(needed: Bool, timeout: Interval, now: Instant) {
        if needed {
            if deadline == nil { deadline = now + timeout.doubled(backOff) }
        } else {
            deadline = nil
            backOff = 0
            probesSent = 0
        }
    }

    /// The timer fired: a probe is owed, the next one waits twice as long (at most 60 s).
    mutating func fire(timeout: Interval, now: Instant) {
        backOff = min(backOff + 1, 12)
        probesSent += 1
        deadline = now + min(timeout.doubled(backOff), .seconds(60))
        probeOwed = true
    }
}

/// Keep-alive probing of an idle connection (off unless the application asked).
struct KeepAliveTimer {
    var deadline: Instant?
    /// Probes sent since the peer was last heard.
    private var probesSent = 0
    /// Send a keep-alive probe on the next turn.
    var probeOwed = false
    /// When anything was last received.
    private var lastReceived: Instant

    init(now: Instant) { lastReceived = now }

    /// Something arrived from the peer: the idle time starts over.
    mutating func heard(at now: Instant) {
        lastReceived = now
        probesSent = 0
    }

    /// Keeps the deadline at idle time after the last segment received while `open` (and
    /// probing is on); no timer otherwise.
    mutating func update(_ keepAlive: TCPKeepAlive?, open: Bool) {
        guard let keepAlive, open else {
            deadline = nil
            return
        }
        if probesSent == 0 { deadline = lastReceived + keepAlive.idle }
    }

    /// The timer fired: false when the probes are spent (the connection fails), else a probe
    /// is owed and the next one scheduled.
    mutating func fire(_ keepAlive: TCPKeepAlive, now: Instant) -> Bool {
        guard probesSent < keepAlive.probes else { return false }
        probesSent += 1
        deadline = now + keepAlive.interval
        probeOwed = true
        return true
    }
}
