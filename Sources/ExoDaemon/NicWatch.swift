// The NIC in the loop's epoll set: its descriptor (packets to read) and its link monitor. A
// device that went away is no longer watched, so the loop never spins on it; a deleted link
// may stop the daemon, or be reattached when it returns (`nic.on_link_loss`).

import ExoPlatform

/// Watches the data plane's NIC for the loop. Owned by the daemon, on the loop thread.
final class NicWatch {
    let reactor: Reactor
    let dataPlane: DataPlane
    /// Whether the NIC's descriptor is still watched (a TAP whose link went away is not read).
    private(set) var watched = true
    /// Waiting for a deleted link to come back (`nic.on_link_loss = "reattach"`).
    private var reattacher: NicReattacher?

    init(reactor: Reactor, dataPlane: DataPlane) {
        self.reactor = reactor
        self.dataPlane = dataPlane
    }

    /// Puts the NIC's descriptor and link monitor in the epoll set. A device without a
    /// descriptor (memory) is looked at on every turn instead (`hasUnwatchedPackets`).
    func register(_ nic: NicPort) throws(SystemError) {
        if let fd = nic.device.readinessDescriptor { try reactor.watch(fd, as: .nic, for: .readable) }
        if let monitor = nic.monitor { try reactor.watch(monitor.fd, as: .link, for: .readable) }
        watched = true
    }

    /// The NIC's descriptor is ready: receives what it holds. Returns whether it did (false
    /// for a device that would report hangup forever, which is no longer watched).
    func deviceReady(_ events: Epoll.Events) -> Bool {
        guard let nic = dataPlane.nic, watched else { return false }
        if events.contains(.hangup) || events.contains(.error), !nic.deviceHungUp() {
            reactor.unwatch(nic.fd)
            watched = false
            return false
        }
        dataPlane.receive()
        return true
    }

    /// A device with no descriptor (memory) holds packets: no wait reports it, so the loop
    /// serves it on each turn.
    var hasUnwatchedPackets: Bool {
        guard watched, let nic = dataPlane.nic, nic.device.readinessDescriptor == nil else { return false }
        return nic.device.hasReadyPacket == true
    }

    /// The link monitor (or, while reattaching, the link announcements) reported: applies
    /// the events. Returns why the daemon must stop, when the link was deleted and
    /// `nic.on_link_loss` is "exit".
    func linkChanged() -> String? {
        guard let nic = dataPlane.nic else { return nil }
        if let reattacher {
            if reattacher.announced() { reattach(nic, reattacher) }
            return nil
        }
        nic.handleLinkEvents()
        guard nic.isDeleted else { return nil }
        // The link is gone: neither its device nor other links' events matter now.
        if watched { reactor.unwatch(nic.fd) }
        if let monitor = nic.monitor { reactor.unwatch(monitor.fd) }
        watched = false
        switch nic.config.onLinkLoss {
        case .exit: return nic.lossReason
        case .keepServing: return nil
        case .reattach:
            startReattaching(nic)
            return nil
        }
    }

    /// Subscribes to link announcements, then tries at once: a TAP is made again now; an
    /// interface that already came back is reopened now.
    private func startReattaching(_ nic: NicPort) {
        let waiting: NicReattacher
        do {
            waiting = try NicReattacher(name: nic.name)
            try reactor.watch(waiting.arrival.fd, as: .link, for: .readable)
        } catch {
            Log.error("cannot wait for link \(nic.name) to return: \(error); the data path stays down")
            return
        }
        reattacher = waiting
        reattach(nic, waiting)
    }

    private func reattach(_ nic: NicPort, _ waiting: NicReattacher) {
        guard waiting.attempt(nic) else { return }
        reactor.unwatch(waiting.arrival.fd)
        reattacher = nil
        do { try register(nic) } catch {
            Log.error("cannot watch reattached link \(nic.name): \(error)")
        }
    }
}
