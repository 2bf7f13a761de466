// The data path while the daemon polls (Daemon+Polling.swift): the NIC's ring and every
// tenant's tx ring checked with plain loads, only what holds work served; tx rings ask for no
// kick until polling stops.

import ExoPlatform
import ExoWire

extension DataPlane {
    /// Receives if the packet ring has a frame ready, and serves every tx ring with
    /// descriptors queued. Returns whether anything was done. No system call when idle.
    /// (A TAP has no ring to look at: its frames come through the loop's periodic epoll.)
    func pollDataPath() -> Bool {
        var worked = false
        if let nic, case .packet(let socket) = nic.device, socket.hasReadyFrame {
            receive()
            worked = true
        }
        for path in paths.values where !path.broken {
            // An unbelievable index (a hostile tenant) is served too: serving breaks the path.
            let queued = (try? path.tx.refreshAvailable()).map { $0 > 0 } ?? true
            if queued {
                transmit(path)
                worked = true
            }
        }
        return worked
    }

    /// Reads what the TAP holds now (one non-blocking read when it holds nothing); returns
    /// whether a frame came. False on the packet backend (`pollDataPath` looks at its ring).
    func pollTap() -> Bool {
        guard let nic, case .tap = nic.device else { return false }
        let before = nic.rxPackets
        receive()
        return nic.rxPackets != before
    }

    /// Whether received frames can be seen without a system call (the packet backend's ring).
    var hasPollableRing: Bool {
        guard let nic, case .packet = nic.device else { return false }
        return true
    }

    /// From now on tx rings ask tenants for no kick (the loop looks at them itself).
    func startPolling() {
        polling = true
        for path in paths.values { path.tx.clearWakeupRequest() }
    }

    /// Arms need-wakeup on every tx ring before the loop sleeps. Returns false if a tenant
    /// posted tx meanwhile (the loop must serve it before sleeping), true when all are empty.
    func stopPolling() -> Bool {
        polling = false
        var empty = true
        for path in paths.values where !path.broken {
            let stillEmpty = (try? path.tx.prepareToSleep()) ?? false
            if !stillEmpty { empty = false }
        }
        return empty
    }
}
