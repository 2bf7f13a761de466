// The data path while the daemon polls (DataPathPoller.swift): the NIC's ring and every
// tenant's tx ring checked with plain loads, only what holds work served; tx rings ask for no
// kick until polling stops.

import ExoPlatform
import ExoWire

extension DataPlane {
    /// Receives if the device has a packet ready (seen without a system call), and serves every tx ring with
    /// descriptors queued. Returns whether anything was done. No system call when idle.
    /// (A TAP has no ring to look at: its frames come through the loop's periodic epoll.)
    func pollDataPath() -> Bool {
        var worked = false
        if let nic = state.nic, nic.device.hasReadyPacket == true {
            receive()
            worked = true
        }
        for path in state.paths.values where !path.broken && !state.rates.isHeldBack(path) {
            // An unbelievable index (a hostile tenant) is served too: serving breaks the path.
            // A ring held back for its tenant's rate waits for the rate timer instead.
            let queued = (try? path.tx.refreshAvailable()).map { $0 > 0 } ?? true
            if queued {
                transmit(path)
                worked = true
            }
        }
        return worked
    }

    /// Reads what a device that cannot be looked at (a TAP) holds now (one non-blocking read
    /// when it holds nothing); returns whether a packet came. False for a device
    /// `pollDataPath` looks at (a packet ring).
    func pollTap() -> Bool {
        guard let nic = state.nic, nic.device.hasReadyPacket == nil else { return false }
        let before = nic.counters.rxPackets
        receive()
        return nic.counters.rxPackets != before
    }

    /// Whether received packets can be seen without a system call (a packet ring).
    var hasPollableRing: Bool {
        guard let nic = state.nic else { return false }
        return nic.device.hasReadyPacket != nil
    }

    /// From now on tx rings ask tenants for no kick (the loop looks at them itself).
    func startPolling() {
        state.polling = true
        for path in state.paths.values { path.tx.clearWakeupRequest() }
    }

    /// Arms need-wakeup on every tx ring before the loop sleeps. Returns false if a tenant
    /// posted tx meanwhile (the loop must serve it before sleeping), true when all are empty.
    func stopPolling() -> Bool {
        state.polling = false
        var empty = true
        // A ring held back for its tenant's rate is brought back by the rate timer, not a kick.
        for path in state.paths.values where !path.broken && !state.rates.isHeldBack(path) {
            let stillEmpty = (try? path.tx.prepareToSleep()) ?? false
            if !stillEmpty { empty = false }
        }
        return empty
    }
}
