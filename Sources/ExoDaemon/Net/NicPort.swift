// The daemon's NIC, whichever device is under it (Device/): a TAP it creates, an existing
// interface through AF_PACKET, or memory in tests; the link monitor, the preallocated
// buffers, the MTU and the NIC-level counters.

import ExoCore
import ExoPlatform
import ExoWire
import ExoPacket

/// The NIC and everything the packet path needs beside it. Owns the device (a TAP is
/// deleted, a packet socket closed with its promiscuous membership, when this object goes
/// away), the monitor and the buffers (freed on deinit).
final class NicPort {
    let config: NicConfig
    /// The device; replaced (with `ifindex` and `monitor`) only when a deleted link is
    /// reattached (`adopt`), between two packets on the loop thread.
    private(set) var device: NicDevice
    /// The interface's name and index.
    let name: String
    private(set) var ifindex: Int32
    /// Watches a kernel device's link; nil for a device without one (memory).
    private(set) var monitor: LinkMonitor?
    /// Reads the kernel's own counters of the link, and opens it again; nil without a kernel link.
    let configurator: LinkConfigurator?
    /// The MAC tenants send off-link traffic to: the TAP's host side, or `nic.gateway_mac`.
    let gatewayMAC: MACAddress
    /// The link's MTU, as read at start and updated by link events.
    private(set) var mtu: UInt32
    /// Largest frame the daemon accepts: what one pool frame holds.
    let frameSize: Int
    /// The scratch a copying device receives into, or the daemon's writable copy of a ring
    /// packet it answers (echo) or segments (offload). `frameSize` bytes.
    let rxBuffer: UnsafeMutableRawBufferPointer
    /// Frames the daemon builds itself (ARP replies).
    let replyBuffer: UnsafeMutableRawBufferPointer

    /// Everything counted at the NIC (NicCounters.swift).
    var counters = NicCounters()
    var isUp = true
    var isRunning = false
    /// The link was deleted under the daemon: the device is dead for good.
    private(set) var isDeleted = false

    /// Opens the NIC `config` names: creates and configures a TAP, or opens the existing
    /// interface for the packet backend. Throws a message for the operator.
    init(config: NicConfig, frameSize: Int) throws(DaemonStartError) {
        self.config = config
        self.frameSize = frameSize
        let configurator: LinkConfigurator
        do {
            configurator = try LinkConfigurator()
        } catch {
            throw DaemonStartError(message: "cannot open rtnetlink: \(error)")
        }
        let opened = try NicOpener.open(config, frameSize: frameSize, configurator)
        device = opened.device
        name = opened.name
        self.configurator = configurator
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
        replyBuffer = .allocate(byteCount: 64, alignment: 64)
    }

    /// A NIC over an in-memory device, for tests: no kernel link, so no monitor; up and
    /// running with `config`'s MTU until the test applies link events.
    init(memory: MemoryDevice, config: NicConfig, frameSize: Int) {
        self.config = config
        self.frameSize = frameSize
        device = .memory(memory)
        name = config.name
        ifindex = 0
        mtu = config.mtu
        isUp = true
        isRunning = true
        gatewayMAC = config.gatewayMAC ?? .zero
        monitor = nil
        configurator = nil
        rxBuffer = .allocate(byteCount: frameSize, alignment: 64)
        replyBuffer = .allocate(byteCount: 64, alignment: 64)
    }

    deinit {
        rxBuffer.deallocate()
        replyBuffer.deallocate()
    }

    /// The descriptor epoll watches for received packets (-1 for a device without one, which
    /// only tests build and drive themselves).
    var fd: Int32 { device.readinessDescriptor ?? -1 }

    /// Whether a received packet of `length` bytes fits the link's current MTU and a frame.
    @inline(__always)
    func fits(_ length: Int) -> Bool { length <= frameSize && length <= Int(mtu) + 14 }

    /// Sends one packet the daemon built itself or held back (borrowed for the call),
    /// counted in the NIC's tx counters. Returns whether the device took it.
    func sendOne(_ packet: UnsafeRawBufferPointer) -> Bool {
        let sent = device.sendNow(packet)
        if sent { counters.sent(bytes: packet.count) }
        return sent
    }

    /// The device's descriptor reported hangup or error: whether to keep watching it.
    func deviceHungUp() -> Bool { device.hungUp(logName: name) }

    /// Applies link events: going down or away is logged and counted, never fatal (the
    /// packet path's writes then fail and are counted as drops); an MTU change is logged
    /// and bounds the frames accepted from then on.
    func handleLinkEvents() {
        guard let monitor else { return }
        let events: [LinkEvent]
        do { events = try monitor.drain() } catch {
            Log.warning("link monitor of \(name): \(error)")
            return
        }
        apply(events)
    }

    /// Applies link events from the monitor, or from a test driving a device without a link.
    func apply(_ events: [LinkEvent]) {
        for event in events {
            switch event {
            case .state(let up, let running):
                if (isUp && !up) || (isRunning && !running) { counters.countLinkDown() }
                isUp = up
                isRunning = running
                Log.info("link \(name): \(up ? "up" : "down"), \(running ? "running" : "not running")")
            case .mtu(let newMTU):
                counters.countMTUChange()
                let fit = Int(newMTU) + 14 <= frameSize ? "" : "; frames over \(frameSize) bytes (frames.size) are dropped"
                Log.warning("link \(name): MTU changed from \(mtu) to \(newMTU)\(fit)")
                mtu = newMTU
            case .deleted:
                counters.countLinkDown()
                isDeleted = true
                isUp = false
                isRunning = false
                switch config.onLinkLoss {
                case .exit: Log.error("\(lossReason): ending every session and exiting with status 1")
                case .keepServing: Log.warning("link \(name) was deleted under the daemon: the data path is down")
                case .reattach:
                    Log.warning("link \(name) was deleted under the daemon: the data path is down until it is reattached (nic.on_link_loss = \"reattach\")")
                }
            }
        }
    }

    /// Puts a reopened link in place of the deleted one (`nic.on_link_loss = "reattach"`):
    /// the new device, ifindex, monitor and link state; counted. Sessions, rings and
    /// bindings live in the data plane and are untouched. The old device closes here.
    func adopt(_ opened: NicOpener.Opened, monitor: LinkMonitor) {
        device = opened.device
        ifindex = opened.state.ifindex
        self.monitor = monitor
        mtu = opened.state.mtu
        isUp = opened.state.isUp
        isRunning = opened.state.isRunning
        isDeleted = false
        counters.countReattachment()
    }

    /// Why the daemon stops when its link was deleted and `nic.on_link_loss` is "exit".
    var lossReason: String { "link \(name) was deleted (nic.on_link_loss = \"exit\")" }

    /// The name of every NIC-level drop reason `exoctl nic` may list, in report order.
    static var dropReasonNames: [String] { NicCounters.dropReasonNames }

    /// The wire report of this NIC, with the kernel's own counters for the link (zero once
    /// it is gone, or without a kernel link).
    func info() -> NicInfo {
        counters.count(.ringFull, times: device.takeQueueDrops())
        let kernel = (try? configurator?.state(ifindex: ifindex).counters) ?? LinkCounters()
        let drops = counters.nonzeroDrops
        return NicInfo(
            backend: config.backend, name: name, ifindex: UInt32(bitPattern: ifindex), isUp: isUp,
            isRunning: isRunning, mtu: mtu, mac: gatewayMAC, hostAddress: config.hostAddress.rawValue,
            prefixLength: config.prefixLength, rxPackets: counters.rxPackets, txPackets: counters.txPackets,
            rxBytes: counters.rxBytes, txBytes: counters.txBytes, drops: drops.reduce(0) { $0 &+ $1.count },
            linkDownEvents: counters.linkDownEvents, mtuChanges: counters.mtuChanges, linkDeleted: isDeleted,
            reattachments: counters.reattachments, dropReasons: drops,
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
