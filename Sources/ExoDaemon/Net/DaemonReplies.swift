// The daemon's own answers on shared addresses, built in place in memory only the daemon
// writes: the NIC path sends them, the hairpin path delivers them to the asking tenant.

import ExoCore
import ExoWire
import ExoPacket

/// ARP and echo replies for shared addresses (the demultiplexer chose `.daemonARP` or
/// `.daemonEcho`). Pure rewrites of a frame buffer; no allocation.
enum DaemonReplies {
    /// Rewrites an ARP request for a shared address (the demultiplexer chose `.daemonARP`)
    /// into the daemon's reply, keeping the frame's length (and padding). Returns false for
    /// anything but a request (ARP replies to the daemon are not answered).
    static func turnIntoARPReply(_ frame: UnsafeMutableRawBufferPointer, daemonMAC: MACAddress) -> Bool {
        let out = MutablePacketBytes(unsafeBuffer: frame)
        guard frame.count >= 14 + ARPPacket.length, let arp = try? ARPPacket(checking: out.readOnly.dropFirst(14)),
            arp.operation == .request
        else { return false }
        let asker = arp.senderHardware
        let askerAddress = arp.senderProtocol
        let asked = arp.targetProtocol
        asker.write(to: out, at: 0)
        daemonMAC.write(to: out, at: 6)
        ARPRepr(operation: .reply, senderHardware: daemonMAC, senderProtocol: asked, targetHardware: asker,
            targetProtocol: askerAddress
        ).emit(into: out.dropFirst(14))
        return true
    }

    /// Rewrites an ICMP echo request to a shared address (the demultiplexer chose
    /// `.daemonEcho`, so the strict parse passed) into the daemon's echo reply, as the NIC
    /// path answers the wire's.
    static func turnIntoEchoReply(_ frame: UnsafeMutableRawBufferPointer, daemonMAC: MACAddress) -> Bool {
        let out = MutablePacketBytes(unsafeBuffer: frame)
        guard frame.count >= 14 + 20 + ICMPv4Message.headerLength,
            let ip = try? MutableIPv4Packet(checking: out.dropFirst(14))
        else { return false }
        let packet = ip.view
        let icmp = ip.payload
        guard icmp.count >= ICMPv4Message.headerLength,
            icmp.readOnly.u8(ICMPv4Message.Field.type) == ICMPv4Type.echoRequest.rawValue
        else { return false }
        for offset in 0..<6 { out.setU8(offset, out.readOnly.u8(6 + offset)) }
        daemonMAC.write(to: out, at: 6)
        let source = packet.source
        ip.setSource(packet.destination)
        ip.setDestination(source)
        ip.setTimeToLive(64)
        ip.fillChecksum()
        icmp.setU8(ICMPv4Message.Field.type, ICMPv4Type.echoReply.rawValue)
        icmp.setU8(ICMPv4Message.Field.code, 0)
        icmp.setU16(ICMPv4Message.Field.checksum.lowerBound, 0)
        icmp.setU16(ICMPv4Message.Field.checksum.lowerBound, InternetChecksum.of(icmp.readOnly))
        return true
    }
}
