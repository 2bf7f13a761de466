// Writes the Ethernet and IPv4 headers of a frame the stack sends, in place in whatever
// buffer the frame is built in (device memory, a pending slot, the control queue).

import ExoPacket

enum FrameBuilder {
    /// Where the IPv4 header starts in a frame.
    static let ipv4Offset = EthernetPacket.headerLength
    /// Where the IPv4 payload starts (the stack never sends options).
    static let payloadOffset = EthernetPacket.headerLength + IPv4Packet.minimumHeaderLength
    /// Headers before a UDP payload: Ethernet, IPv4, UDP.
    static let udpPayloadOffset = payloadOffset + UDPDatagram.headerLength
    /// Headers before echo data: Ethernet, IPv4, ICMP.
    static let icmpDataOffset = payloadOffset + ICMPv4Message.headerLength

    /// Writes the Ethernet header and the IPv4 header (DF set, TTL 64, no options) of a
    /// frame carrying `ip` into the start of `frame`, which is exactly the frame's length.
    /// The payload (at `payloadOffset`) is the caller's, before or after.
    static func writeHeaders(into frame: MutablePacketBytes, destination: MACAddress, source: MACAddress, ip: IPv4Repr) {
        EthernetRepr(destination: destination, source: source, etherType: .ipv4)
            .emit(into: MutableEthernetPacket(unchecked: frame))
        // The caller sized `frame` from `ip`, so emitting cannot fail.
        _ = try? ip.emit(into: frame.dropFirst(ipv4Offset))
    }

    /// Writes the destination MAC of a frame built before its neighbor was known.
    static func setDestination(_ mac: MACAddress, in frame: MutablePacketBytes) {
        mac.write(to: frame, at: EthernetPacket.Field.destination.lowerBound)
    }

    /// Writes a whole Ethernet/ARP frame (42 bytes).
    static func writeARP(into frame: MutablePacketBytes, destination: MACAddress, arp: ARPRepr) {
        EthernetRepr(destination: destination, source: arp.senderHardware, etherType: .arp)
            .emit(into: MutableEthernetPacket(unchecked: frame))
        arp.emit(into: frame.dropFirst(EthernetPacket.headerLength))
    }

    /// Bytes of an Ethernet/ARP frame.
    static let arpFrameLength = EthernetPacket.headerLength + ARPPacket.length
}

extension MutableEthernetPacket {
    /// A view over a buffer the stack sized itself (at least a header).
    init(unchecked bytes: MutablePacketBytes) {
        precondition(bytes.count >= EthernetPacket.headerLength, "frame shorter than its header")
        self = try! MutableEthernetPacket(checking: bytes)
    }
}
