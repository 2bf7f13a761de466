// Opening the NIC's device: a TAP the daemon creates and configures, or an existing interface
// through AF_PACKET. At start-up, and again when a deleted link is reattached in place
// (`nic.on_link_loss = "reattach"`, NicWatch).

import ExoPlatform
import ExoPacket

/// Opens the device `nic.backend` names. Stateless: each call gets its own netlink
/// round trips through the caller's configurator.
enum NicOpener {
    /// An opened device and what the kernel says of its link.
    typealias Opened = (device: NicDevice, name: String, state: LinkState, gatewayMAC: MACAddress)

    /// Opens the NIC `config` names at start-up: creates and configures a TAP, or opens the
    /// existing interface for the packet backend.
    static func open(_ config: NicConfig, frameSize: Int, _ configurator: LinkConfigurator)
        throws(DaemonStartError) -> Opened
    {
        config.isPacketBackend
            ? try openPacket(config, frameSize: frameSize, configurator)
            : try openTap(config, frameSize: frameSize, configurator)
    }

    /// Creates the TAP named `config.name` and brings it up (IPv6 address generation off
    /// before up, then `mac` when it is made again, MTU, host address). Its own MAC is the
    /// tenants' gateway, so a TAP made again takes the MAC tenants were told.
    static func openTap(_ config: NicConfig, frameSize: Int, _ configurator: LinkConfigurator, mac: MACAddress? = nil)
        throws(DaemonStartError) -> Opened
    {
        let tap: TapDevice
        do {
            tap = try TapDevice(name: config.name)
        } catch {
            throw DaemonStartError(message: "cannot create TAP device '\(config.name)': \(error)")
        }
        do {
            guard let host = IPv4InterfaceAddress(address: config.hostAddress.rawValue, prefixLength: config.prefixLength)
            else { throw DaemonStartError(message: "bad nic.host_address") }
            if let mac { try configurator.setHardwareAddress(mac.bytes, ifindex: tap.ifindex) }
            try configurator.configure(ifindex: tap.ifindex, mtu: config.mtu, hostAddress: host)
            let state = try configurator.state(ifindex: tap.ifindex)
            let hw = state.hardwareAddress
            let mac = hw.count == 6 ? MACAddress(hw[0], hw[1], hw[2], hw[3], hw[4], hw[5]) : .zero
            return (.tap(TapPort(tap, slotSize: frameSize)), tap.name, state, mac)
        } catch let error as DaemonStartError {
            throw error
        } catch {
            throw DaemonStartError(message: "cannot configure TAP device '\(tap.name)': \(error)")
        }
    }

    /// Opens the existing interface `config.name` through AF_PACKET. It is the operator's:
    /// its addresses, MTU and state are left as they are; its MTU must fit a frame. A link
    /// that is down is opened too: the kernel starts delivering when it comes up.
    static func openPacket(_ config: NicConfig, frameSize: Int, _ configurator: LinkConfigurator)
        throws(DaemonStartError) -> Opened
    {
        let state: LinkState
        do {
            state = try configurator.state(ifindex: try configurator.ifindex(named: config.name))
        } catch {
            throw DaemonStartError(message: "nic.name: no interface '\(config.name)' for the packet backend: \(error)")
        }
        guard Int(state.mtu) + 14 <= frameSize else {
            throw DaemonStartError(
                message: "frames.size: \(frameSize) bytes cannot hold a frame of '\(config.name)' (nic.name): MTU \(state.mtu) plus the 14-byte Ethernet header")
        }
        do {
            let socket = try PacketSocket(ifindex: state.ifindex, transmitSlotSize: frameSize)
            return (.packet(PacketPort(socket, ifindex: state.ifindex)), state.name, state, config.gatewayMAC ?? .zero)
        } catch {
            throw DaemonStartError(message: "cannot open AF_PACKET socket on '\(config.name)': \(error)")
        }
    }
}
