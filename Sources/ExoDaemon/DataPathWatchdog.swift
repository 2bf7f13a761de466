// Whether the data path is stuck, decided at each systemd watchdog tick: work was owed at
// the last tick and is still owed now, and nothing at all was served in between. Pure, so
// its cases are tested exhaustively; the loop feeds it samples (DataPlane+Watchdog.swift).

/// One look at the data path at a watchdog tick.
struct DataPathSample: Equatable {
    /// Packets the data path took from the NIC or from tenants' tx rings since start: it
    /// only grows, and wraps (compared for equality only).
    var served: UInt64
    /// Work waits that the daemon owes now: a received packet on a watched NIC, or a tx ring
    /// with descriptors whose tenant has completion room and is not held back for its rate.
    /// A path held back by its tenant (a full completion ring), its rate, or the impairment
    /// is owed nothing; an idle path owes nothing.
    var owed: Bool
}

/// What a tick concluded.
enum DataPathVerdict: Equatable {
    /// Nothing owed, or progress since the last tick.
    case healthy
    /// Healthy again after one or more stuck ticks.
    case recovered
    /// The first tick at which owed work saw no progress since the previous tick.
    case stuck
    /// Stuck at this tick too.
    case stillStuck

    /// Whether the service manager gets its watchdog ping: not while stuck, so a data path
    /// that stays stuck past `WatchdogSec` gets the service restarted.
    var pings: Bool { self == .healthy || self == .recovered }
}

/// The watchdog's memory between ticks: the previous sample and whether it was stuck.
struct DataPathWatchdog {
    private var previous: DataPathSample?
    private var stuck = false

    /// Judges `sample` against the previous tick's. The first tick has nothing to compare
    /// with and is healthy.
    mutating func tick(_ sample: DataPathSample) -> DataPathVerdict {
        defer { previous = sample }
        let nowStuck = previous.map { $0.owed && sample.owed && $0.served == sample.served } ?? false
        defer { stuck = nowStuck }
        switch (stuck, nowStuck) {
        case (false, false): return .healthy
        case (true, false): return .recovered
        case (false, true): return .stuck
        case (true, true): return .stillStuck
        }
    }
}
