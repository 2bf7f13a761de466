// The NIC in the loop's epoll set: its descriptor (packets to read) and its link monitor. A
// device that went away is no longer watched, so the loop never spins on it; a deleted link
// may stop the daemon (`nic.on_link_loss`).

import ExoPlatform

/// Watches the data plane's NIC for the loop. Owned by the daemon, on the loop thread.
final class NicWatch {
    let reactor: Reactor
    let dataPlane: DataPlane
    /// Whether the NIC's descriptor is still watched (a TAP whose link went away is not read).
    private(set) var watched = true

    init(reactor: Reactor, dataPlane: DataPlane) {
        self.reactor = reactor
        self.dataPlane = dataPlane
    }

    /// Puts the NIC's descriptor and link monitor in the epoll set. A device without a
    /// descriptor (memory) is looked at on every turn instead (`hasUnwatchedPackets`).
    func register(_ nic: NicPort) throws(SystemError) {
        if let fd = nic.device.readinessDescriptor { try reactor.watch(fd, as: .nic, for: .readable) }
        if let monitor = nic.monitor { try reactor.watch(monitor.fd, as: .link, for: .readable) }
    }

    /// The NIC's descriptor is ready: receives what it holds. Returns whether it did (false
    /// for a device that would report hangup forever, which is no longer watched).
    func deviceReady(_ events: Epoll.Events) -> Bool {
        guard let nic = dataPlane.nic else { return false }
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

    /// The link monitor reported: applies the events. Returns why the daemon must stop, when
    /// the link was deleted and `nic.on_link_loss` is "exit".
    func linkChanged() -> String? {
        guard let nic = dataPlane.nic else { return nil }
        nic.handleLinkEvents()
        guard nic.isDeleted else { return nil }
        // The link is gone for good: neither its TAP nor other links' events matter now.
        reactor.unwatch(nic.fd)
        if let monitor = nic.monitor { reactor.unwatch(monitor.fd) }
        watched = false
        return nic.config.onLinkLoss == .exit ? nic.lossReason : nil
    }
}
