// Reattaching a deleted link in place (`nic.on_link_loss = "reattach"`): a TAP, the daemon's
// own device, is made again at once with its name and MAC; an existing interface (packet
// backend) is reopened when a link of its name comes back. Sessions never notice but for
// the packets lost meanwhile.

import ExoPlatform

/// Waits for the NIC's link to come back and reopens it. Owned by `NicWatch`, on the loop
/// thread; exists only while the link is deleted.
final class NicReattacher {
    /// Announces links of the NIC's name (watched in epoll as `.link`).
    let arrival: LinkArrivalWatch

    /// Subscribes to link announcements before anything is tried, so a link that comes
    /// back between the deletion and the first try is seen by one or the other.
    init(name: String) throws(NetlinkError) {
        arrival = try LinkArrivalWatch(name: name)
    }

    /// Link announcements arrived: whether one named the NIC's link (or some were lost), so
    /// that reattaching is worth trying again.
    func announced() -> Bool {
        do { return try arrival.drain() } catch {
            Log.warning("link announcements: \(error)")
            return true
        }
    }

    /// Tries to reopen `nic`'s link: a TAP is created again (same name, same MAC: tenants'
    /// gateway stays what they were told); the packet backend reopens a link of the same
    /// name if one exists, on its new ifindex. Returns whether the NIC is attached again;
    /// false (logged) leaves it deleted until the next announcement.
    func attempt(_ nic: NicPort) -> Bool {
        guard let configurator = nic.configurator else { return false }
        let frameSize = nic.frameSize
        let opened: NicOpener.Opened
        do {
            if nic.config.isPacketBackend {
                guard try arrival.present() != nil else { return false }
                opened = try NicOpener.openPacket(nic.config, frameSize: frameSize, configurator)
            } else {
                opened = try NicOpener.openTap(nic.config, frameSize: frameSize, configurator, mac: nic.gatewayMAC)
            }
        } catch {
            Log.error("cannot reattach link \(nic.name): \(error); trying again when it next changes")
            return false
        }
        let monitor: LinkMonitor
        do { monitor = try LinkMonitor(ifindex: opened.state.ifindex) } catch {
            Log.error("cannot watch link \(nic.name) (ifindex \(opened.state.ifindex)): \(error); trying again when it next changes")
            return false
        }
        nic.adopt(opened, monitor: monitor)
        Log.warning("link \(nic.name) reattached (ifindex \(nic.ifindex), reattachment \(nic.counters.reattachments)): "
            + "\(nic.isUp ? "up" : "down"), \(nic.isRunning ? "running" : "not running")")
        return true
    }
}
