// The daemon's NIC, whichever backend: a TAP it creates or an existing interface through
// AF_PACKET; the link monitor, the preallocated buffers, the MTU and the NIC-level counters.

import ExoCore
import ExoPlatform
import ExoWire
import ExoPacket
import Glibc

/// The device under a `NicPort`: a closed choice, so the packet path switches on it
/// (no existential, no dynamic dispatch).
enum NicDevice {
    /// A non-persistent TAP device the daemon created; gone when the daemon is.
    case tap(TapDevice)
    /// An existing interface, through a TPACKET_V2 ring and sendmmsg.
    case packet(PacketSocket)
}

/// The NIC and everything the packet path needs beside it. Owns the device (a TAP is
/// deleted, a packet socket closed with its promiscuous membership, when this object goes
/// away), the monitor and the buffers (freed on deinit).
final class NicPort {
    let config: NicConfig
    let device: NicDevice
    /// The interface's name and index.
    let name: String
    let ifindex: Int32
    let monitor: LinkMonitor
    private let configurator: LinkConfigurator
    /// The MAC tenants send off-link traffic to: the TAP's host side, or `nic.gateway_mac`.
    let gatewayMAC: MACAddress
    /// The link's MTU, as read at start and updated by link events.
    private(set) var mtu: UInt32
    /// Largest frame the daemon accepts: what one pool frame holds.
    let frameSize: Int
    /// One frame read from the TAP, or the daemon's writable copy of a ring frame it answers
    /// (echo). `frameSize` bytes.
    let rxBuffer: UnsafeMutableRawBufferPointer
    /// The daemon's private copy of one frame a tenant sends over the TAP (checked, then written).
    let txBuffer: UnsafeMutableRawBufferPointer
    /// Frames the daemon builds itself (ARP replies).
    let replyBuffer: UnsafeMutableRawBufferPointer

    var rxPackets: UInt64 = 0
    var rxBytes: UInt64 = 0
    var txPackets: UInt64 = 0
    var txBytes: UInt64 = 0
    /// Received frames that reached no tenant, by `DropReason.counterIndex`.
    var rxDrops: [UInt64] = Array(repeating: 0, count: DropReason.allCases.count)
    /// Received frames refused before routing, by `NicDrop`.
    var nicDrops: [UInt64] = Array(repeating: 0, count: NicDrop.allCases.count)
    /// Peer-offloaded frames refused by the software offload path, by `OffloadFault`.
    var offloadDrops: [UInt64] = Array(repeating: 0, count: OffloadFault.allCases.count)
    /// Peer-offloaded frames (GSO or partial checksum) taken in, and the frames made of them.
    var offloadedFrames: UInt64 = 0
    var offloadSegments: UInt64 = 0
    var linkDownEvents: UInt64 = 0
    var mtuChanges: UInt64 = 0
    /// Echo requests to shared addresses the daemon could not answer.
    var unansweredEcho: UInt64 = 0
    var isUp = true
    var isRunning = false
    /// The link was deleted under the daemon: the device is dead for good.
    private(set) var isDeleted = false

    /// Opens the NIC `config` names: creates and configures a TAP, or opens the existing
    /// interface for the packet backend. Throws a message for the operator.
    init(config: NicConfig, frameSize: Int) throws(DaemonStartError) {
        self.config = config
        self.frameSize = frameSize
        do {
            configurator = try LinkConfigurator()
        } catch {
            throw DaemonStartError(message: "cannot open rtnetlink: \(error)")
        }
        let opened = config.isPacketBackend
            ? try Self.openPacket(config, frameSize: frameSize, configurator)
            : try Self.openTap(config, configurator)
        device = opened.device
        name = opened.name
        ifindex = opened.state.ifindex
        mtu = opened.state.mtu
        isUp = opened.state.isUp
        isRunning = opened.state.isRunning
        gatewayMAC = opened.gatewayMAC
        do {
            monitor = try LinkMonitor(ifindex: ifindex)
        } catch {
            throw DaemonStartError(message: "cannot watch link '\(name)': \(error)")
        }
        rxBuffer = .allocate(byteCount: frameSize, alignment: 64)
        txBuffer = .allocate(byteCount: frameSize, alignment: 64)
        replyBuffer = .allocate(byteCount: 64, alignment: 64)
    }

    deinit {
        rxBuffer.deallocate()
        txBuffer.deallocate()
        replyBuffer.deallocate()
    }

    private typealias Opened = (device: NicDevice, name: String, state: LinkState, gatewayMAC: MACAddress)

    /// Creates the TAP named `config.name` and brings it up (IPv6 address generation off
    /// before up, MTU, host address). Its own MAC is the tenants' gateway.
    private static func openTap(_ config: NicConfig, _ configurator: LinkConfigurator) throws(DaemonStartError) -> Opened {
        let tap: TapDevice
        do {
            tap = try TapDevice(name: config.name)
        } catch {
            throw DaemonStartError(message: "cannot create TAP device '\(config.name)': \(error)")
        }
        do {
            guard let host = IPv4InterfaceAddress(address: config.hostAddress.rawValue, prefixLength: config.prefixLength)
            else { throw DaemonStartError(message: "bad nic.host_address") }
            try configurator.configure(ifindex: tap.ifindex, mtu: config.mtu, hostAddress: host)
            let state = try configurator.state(ifindex: tap.ifindex)
            let hw = state.hardwareAddress
            let mac = hw.count == 6 ? MACAddress(hw[0], hw[1], hw[2], hw[3], hw[4], hw[5]) : .zero
            return (.tap(tap), tap.name, state, mac)
        } catch let error as DaemonStartError {
            throw error
        } catch {
            throw DaemonStartError(message: "cannot configure TAP device '\(tap.name)': \(error)")
        }
    }

    /// Opens the existing interface `config.name` through AF_PACKET. It is the operator's:
    /// its addresses, MTU and state are left as they are; its MTU must fit a frame.
    private static func openPacket(_ config: NicConfig, frameSize: Int, _ configurator: LinkConfigurator)
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
            return (.packet(socket), state.name, state, config.gatewayMAC ?? .zero)
        } catch {
            throw DaemonStartError(message: "cannot open AF_PACKET socket on '\(config.name)': \(error)")
        }
    }

    /// The descriptor epoll watches for received frames.
    var fd: Int32 {
        switch device {
        case .tap(let tap): tap.fd
        case .packet(let socket): socket.fd
        }
    }

    /// Whether a received frame of `length` bytes fits the link's current MTU and a frame.
    @inline(__always)
    func fits(_ length: Int) -> Bool { length <= frameSize && length <= Int(mtu) + 14 }

    /// Sends one frame the daemon built itself (borrowed for the call), counted in the NIC's
    /// tx counters. Returns whether the kernel took it.
    func sendOne(_ frame: UnsafeRawBufferPointer) -> Bool {
        let sent: Bool
        switch device {
        case .tap(let tap): sent = (try? tap.write(frame.bytes)) ?? false
        case .packet(let socket): sent = socket.sendNow(frame)
        }
        if sent {
            txPackets &+= 1
            txBytes &+= UInt64(frame.count)
        }
        return sent
    }

    /// Applies link events: going down or away is logged and counted, never fatal (the
    /// packet path's writes then fail and are counted as drops); an MTU change is logged
    /// and bounds the frames accepted from then on.
    func handleLinkEvents() {
        let events: [LinkEvent]
        do { events = try monitor.drain() } catch {
            Log.warning("link monitor of \(name): \(error)")
            return
        }
        for event in events {
            switch event {
            case .state(let up, let running):
                if (isUp && !up) || (isRunning && !running) { linkDownEvents &+= 1 }
                isUp = up
                isRunning = running
                Log.info("link \(name): \(up ? "up" : "down"), \(running ? "running" : "not running")")
            case .mtu(let newMTU):
                mtuChanges &+= 1
                let fit = Int(newMTU) + 14 <= frameSize ? "" : "; frames over \(frameSize) bytes (frames.size) are dropped"
                Log.warning("link \(name): MTU changed from \(mtu) to \(newMTU)\(fit)")
                mtu = newMTU
            case .deleted:
                linkDownEvents &+= 1
                isDeleted = true
                isUp = false
                isRunning = false
                Log.warning("link \(name) was deleted under the daemon: the data path is down")
            }
        }
    }

    /// The name of every NIC-level drop reason `exoctl nic` may list, in report order: frames
    /// that reached no tenant (the demultiplexer's reasons), frames refused before it, peer
    /// offloads the daemon could not finish, echo requests it could not answer.
    static let dropReasonNames: [String] =
        DropReason.allCases.map(\.name) + NicDrop.allCases.map(\.name)
        + OffloadFault.allCases.map { "rx.offload.\($0.name)" } + ["rx.unansweredEcho"]

    /// The wire report of this NIC, with the kernel's own counters for the link (zero once
    /// it is gone).
    func info() -> NicInfo {
        if case .packet(let socket) = device, let statistics = try? socket.takeStatistics() {
            // PACKET_STATISTICS resets on read: accumulate the ring-full drops here.
            nicDrops[NicDrop.ringFull.rawValue] &+= UInt64(statistics.drops)
        }
        let kernel = (try? configurator.state(ifindex: ifindex).counters) ?? LinkCounters()
        let counts = DropReason.allCases.map { rxDrops[$0.counterIndex] } + NicDrop.allCases.map { nicDrops[$0.rawValue] }
            + OffloadFault.allCases.map { offloadDrops[Int($0.rawValue)] } + [unansweredEcho]
        var drops = zip(Self.dropReasonNames, counts).map { DropCount(reason: $0, count: $1) }
        drops.removeAll { $0.count == 0 }
        return NicInfo(
            backend: config.backend, name: name, ifindex: UInt32(bitPattern: ifindex), isUp: isUp,
            isRunning: isRunning, mtu: mtu, mac: gatewayMAC, hostAddress: config.hostAddress.rawValue,
            prefixLength: config.prefixLength, rxPackets: rxPackets, txPackets: txPackets, rxBytes: rxBytes,
            txBytes: txBytes, drops: drops.reduce(0) { $0 &+ $1.count }, linkDownEvents: linkDownEvents,
            mtuChanges: mtuChanges, dropReasons: drops,
            kernel: NicKernelCounters(
                rxPackets: kernel.rxPackets, txPackets: kernel.txPackets, rxBytes: kernel.rxBytes,
                txBytes: kernel.txBytes, rxErrors: kernel.rxErrors, txErrors: kernel.txErrors,
                rxDropped: kernel.rxDropped, txDropped: kernel.txDropped))
    }
}

/// Why the NIC refused a received frame before the demultiplexer saw it.
enum NicDrop: Int, CaseIterable {
    /// The kernel captured fewer bytes than the frame had (`tp_snaplen < tp_len`).
    case truncated
    /// An 802.1Q/802.1ad tag (stripped into the ring header, or a VLAN EtherType): tenants
    /// get untagged Ethernet only.
    case vlanTagged
    /// Longer than the link's MTU plus the Ethernet header, or than a frame (`frames.size`).
    case tooLong
    /// A ring frame header pointing outside its block.
    case ringMalformed
    /// Frames the kernel dropped because the receive ring was full (PACKET_STATISTICS).
    case ringFull

    var name: String {
        switch self {
        case .truncated: "rx.truncated"
        case .vlanTagged: "rx.vlanTagged"
        case .tooLong: "rx.tooLong"
        case .ringMalformed: "rx.ringMalformed"
        case .ringFull: "rx.ringFull"
        }
    }
}
