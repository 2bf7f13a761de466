// The daemon's NIC: a TAP device it creates and configures at start-up, the link monitor,
// the preallocated receive and transmit buffers, and the NIC-level counters.

import ExoCore
import ExoPlatform
import ExoWire
import Glibc

/// The TAP device and everything the packet path needs beside it. Owns the device (deleted
/// when this object goes away, or by the kernel when the process dies), the monitor and
/// both buffers (freed on deinit).
final class NicPort {
    let config: NicConfig
    let tap: TapDevice
    let monitor: LinkMonitor
    private let configurator: LinkConfigurator
    /// The host side's MAC: the tenants' gateway MAC.
    let hostMAC: MACAddress
    /// One received frame; `frameSize` bytes (larger frames are truncated by the kernel and
    /// then refused by length).
    let rxBuffer: UnsafeMutableRawBufferPointer
    /// The daemon's private copy of one frame a tenant sends (checked, then written).
    let txBuffer: UnsafeMutableRawBufferPointer
    /// Frames the daemon builds itself (ARP replies).
    let replyBuffer: UnsafeMutableRawBufferPointer

    var rxPackets: UInt64 = 0
    var rxBytes: UInt64 = 0
    var txPackets: UInt64 = 0
    var txBytes: UInt64 = 0
    /// Received frames that reached no tenant, by `DropReason.counterIndex`.
    var rxDrops: [UInt64] = Array(repeating: 0, count: DropReason.allCases.count)
    var linkDownEvents: UInt64 = 0
    /// Echo requests to shared addresses the daemon could not answer.
    var unansweredEcho: UInt64 = 0
    var isUp = true
    var isRunning = false
    /// The link was deleted under the daemon: the TAP descriptor is dead for good.
    private(set) var isDeleted = false

    /// Creates the TAP named `config.name` and brings it up (IPv6 address generation off
    /// before up, MTU, host address). Throws a message for the operator.
    init(config: NicConfig, frameSize: Int) throws(DaemonStartError) {
        self.config = config
        do {
            tap = try TapDevice(name: config.name)
        } catch {
            throw DaemonStartError(message: "cannot create TAP device '\(config.name)': \(error)")
        }
        do {
            configurator = try LinkConfigurator()
            guard let host = IPv4InterfaceAddress(address: config.hostAddress.rawValue, prefixLength: config.prefixLength)
            else { throw DaemonStartError(message: "bad nic.host_address") }
            try configurator.configure(ifindex: tap.ifindex, mtu: config.mtu, hostAddress: host)
            let state = try configurator.state(ifindex: tap.ifindex)
            let hw = state.hardwareAddress
            hostMAC = hw.count == 6 ? MACAddress(hw[0], hw[1], hw[2], hw[3], hw[4], hw[5]) : .zero
            isRunning = state.isRunning
            monitor = try LinkMonitor(ifindex: tap.ifindex)
        } catch let error as DaemonStartError {
            throw error
        } catch {
            throw DaemonStartError(message: "cannot configure TAP device '\(tap.name)': \(error)")
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

    /// Applies link events: going down or away is logged and counted, never fatal (the
    /// packet path's writes then fail and are counted as drops).
    func handleLinkEvents() {
        let events: [LinkEvent]
        do { events = try monitor.drain() } catch {
            Log.warning("link monitor of \(tap.name): \(error)")
            return
        }
        for event in events {
            switch event {
            case .state(let up, let running):
                if (isUp && !up) || (isRunning && !running) { linkDownEvents &+= 1 }
                isUp = up
                isRunning = running
                Log.info("link \(tap.name): \(up ? "up" : "down"), \(running ? "running" : "not running")")
            case .deleted:
                linkDownEvents &+= 1
                isDeleted = true
                isUp = false
                isRunning = false
                Log.warning("link \(tap.name) was deleted under the daemon: the data path is down")
            }
        }
    }

    /// The wire report of this NIC.
    func info() -> NicInfo {
        let mtu = (try? configurator.state(ifindex: tap.ifindex).mtu) ?? config.mtu
        return NicInfo(
            backend: config.backend, name: tap.name, ifindex: UInt32(bitPattern: tap.ifindex), isUp: isUp,
            isRunning: isRunning, mtu: mtu, mac: hostMAC, hostAddress: config.hostAddress.rawValue,
            prefixLength: config.prefixLength, rxPackets: rxPackets, txPackets: txPackets, rxBytes: rxBytes,
            txBytes: txBytes, drops: rxDrops.reduce(unansweredEcho, &+), linkDownEvents: linkDownEvents)
    }

    /// Answers an ARP request for a shared address (the demultiplexer chose `.daemonARP`)
    /// with `daemonMAC`; ignores ARP replies. Returns whether a reply was written.
    func answerARP(length: Int, daemonMAC: MACAddress) -> Bool {
        let frame = PacketBytes(unsafeBuffer: UnsafeRawBufferPointer(rebasing: rxBuffer[..<length]))
        guard length >= 14 + ARPPacket.length,
            let arp = try? ARPPacket(checking: frame.dropFirst(14)), arp.operation == .request
        else { return false }
        let out = MutablePacketBytes(unsafeBuffer: UnsafeMutableRawBufferPointer(rebasing: replyBuffer[..<60]))
        for offset in 0..<60 { out.setU8(offset, 0) }
        arp.senderHardware.write(to: out, at: 0)
        daemonMAC.write(to: out, at: 6)
        out.setU16(12, EtherType.arp.rawValue)
        ARPRepr(
            operation: .reply, senderHardware: daemonMAC, senderProtocol: arp.targetProtocol,
            targetHardware: arp.senderHardware, targetProtocol: arp.senderProtocol
        ).emit(into: out.dropFirst(14))
        do {
            return try tap.write(UnsafeRawBufferPointer(rebasing: replyBuffer[..<60]).bytes)
        } catch {
            return false
        }
    }

    /// Answers an ICMP echo request to a shared address (the demultiplexer chose `.daemonEcho`,
    /// so the frame already passed the strict parse: Ethernet II, IPv4 without options,
    /// consistent lengths). The reply is built in place in `rxBuffer`, which the daemon alone
    /// writes. Returns whether a reply was written.
    func answerEcho(length: Int, daemonMAC: MACAddress) -> Bool {
        let frame = MutablePacketBytes(unsafeBuffer: UnsafeMutableRawBufferPointer(rebasing: rxBuffer[..<length]))
        guard length >= 14 + 20 + ICMPv4Message.headerLength,
            let ip = try? MutableIPv4Packet(checking: frame.dropFirst(14))
        else { return false }
        let packet = ip.view
        let icmp = ip.payload
        guard icmp.count >= ICMPv4Message.headerLength,
            icmp.readOnly.u8(ICMPv4Message.Field.type) == ICMPv4Type.echoRequest.rawValue
        else { return false }
        // Ethernet: back to the sender, from the shared address's MAC (the daemon's).
        for offset in 0..<6 { frame.setU8(offset, frame.readOnly.u8(6 + offset)) }
        daemonMAC.write(to: frame, at: 6)
        // IPv4: swap the addresses, a fresh TTL, a new header checksum.
        let source = packet.source
        ip.setSource(packet.destination)
        ip.setDestination(source)
        ip.setTimeToLive(64)
        ip.fillChecksum()
        // ICMP: echo reply with the same identifier, sequence and data.
        icmp.setU8(ICMPv4Message.Field.type, ICMPv4Type.echoReply.rawValue)
        icmp.setU8(ICMPv4Message.Field.code, 0)
        icmp.setU16(ICMPv4Message.Field.checksum.lowerBound, 0)
        icmp.setU16(ICMPv4Message.Field.checksum.lowerBound, InternetChecksum.of(icmp.readOnly))
        let total = 14 + packet.totalLength
        do {
            return try tap.write(UnsafeRawBufferPointer(rebasing: rxBuffer[..<total]).bytes)
        } catch {
            return false
        }
    }
}
