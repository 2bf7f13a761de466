// The data plane as the systemd watchdog sees it: what it served so far and whether work
// waits on it now, looked at without taking anything (DataPathWatchdog decides).

import ExoPlatform

extension DataPlane {
    /// Judges the data path at a watchdog tick, logs a change of verdict, and returns
    /// whether to ping. `nicWatched`: the NIC's descriptor is in the epoll set (a deleted or
    /// hung-up device owes nothing).
    func watchdogTick(_ watchdog: inout DataPathWatchdog, nicWatched: Bool) -> Bool {
        let verdict = watchdog.tick(DataPathSample(served: state.served, owed: nicOwesWork(watched: nicWatched) || txOwesWork))
        switch verdict {
        case .stuck:
            Log.error("data path stuck: work waited at two watchdog ticks and none was served; withholding WATCHDOG=1")
        case .recovered: Log.warning("data path moving again: WATCHDOG=1 resumes")
        case .healthy, .stillStuck: break
        }
        return verdict.pings
    }

    /// A received packet waits on a watched NIC (a ring or memory: a plain load; a TAP: one
    /// `poll` that takes nothing).
    private func nicOwesWork(watched: Bool) -> Bool {
        guard watched, let nic = state.nic, !nic.isDeleted else { return false }
        switch nic.device {
        case .tap(let device): return device.tap.hasQueuedFrame
        case .packet(let device): return device.hasReadyPacket == true
        case .memory(let device): return device.hasReadyPacket == true
        }
    }

    /// A tenant's tx ring holds descriptors the daemon could take now: not broken, not held
    /// back for its rate, and with room on completion (a full completion ring is the tenant's
    /// own backpressure). An index a hostile tenant wrote owes nothing: serving breaks it.
    private var txOwesWork: Bool {
        guard state.nic != nil else { return false }
        for path in state.paths.values where !path.broken && !state.rates.isHeldBack(path) {
            let queued = (try? path.tx.refreshAvailable()) ?? 0
            let room = (try? path.completion.refreshFreeSlots()) ?? 0
            if queued > 0 && room > 0 { return true }
        }
        return false
    }
}
