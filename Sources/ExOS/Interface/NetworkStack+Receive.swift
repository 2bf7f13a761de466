// The receive path's first two layers: Ethernet II (our MACs and broadcast only, no VLAN
// tags) and IPv4 (header checksum, options skipped, fragments refused, our addresses only),
// handing each datagram to ICMP, UDP or (part 2) TCP.

import ExoPacket

/// A received IPv4 datagram the checks passed, as the upper layers see it.
struct ReceivedDatagram {
    /// The whole IPv4 datagram (header, options, payload), for ICMP errors to quote.
    var packet: IPv4Packet
    var source: IPv4Address
    var destination: IPv4Address
    /// Index of the destination among the stack's addresses.
    var localIndex: Int
    /// The sender's (or its router's) MAC, where answers go.
    var linkSource: MACAddress
    /// Sent to the broadcast MAC: never answered with an ICMP error (RFC 1122 §3.2.2).
    var linkBroadcast: Bool
    var payload: PacketBytes
}

extension NetworkStack {
    /// Processes one received Ethernet frame at `now`. The frame is only borrowed: anything
    /// kept (a datagram for a socket, an answer) is copied into the stack's own queues.
    /// Every frame the stack does not use is counted under one ``DropReason``.
    public mutating func receive(frame: PacketBytes, now: Instant) {
        advance(to: now)
        counters.framesReceived &+= 1
        guard frame.count <= configuration.maximumFrameLength + 4 else {
            // 4: room for an FCS some devices leave on; anything longer was never ours.
            counters.count(.frameTooLong)
            return
        }
        guard let ethernet = try? EthernetPacket(checking: frame) else {
            counters.count(.ethernetTruncated)
            return
        }
        guard !ethernet.hasVLANTag else {
            counters.count(.ethernetVLANTagged)
            return
        }
        let destination = ethernet.destination
        guard destination.isBroadcast || link.ownsMAC(destination) else {
            counters.count(.ethernetNotForUs)
            return
        }
        guard ethernet.source.isUnicast else {
            counters.count(.ethernetBadSource)
            return
        }
        switch ethernet.etherType {
        case .arp: resolver.receive(ethernet.payload, now: now, control: &control, counters: &counters)
        case .ipv4: receiveIPv4(ethernet.payload, linkSource: ethernet.source, linkBroadcast: destination.isBroadcast)
        default: counters.count(.ethernetUnknownType)
        }
    }

    private mutating func receiveIPv4(_ bytes: PacketBytes, linkSource: MACAddress, linkBroadcast: Bool) {
        guard let packet = try? IPv4Packet(checking: bytes) else {
            counters.count(.ipv4Malformed)
            return
        }
        guard packet.checksumIsValid else {
            counters.count(.ipv4BadChecksum)
            return
        }
        guard !packet.isFragment else {
            // The daemon reassembles before delivery; a fragment here was not meant for us.
            counters.count(.ipv4Fragment)
            return
        }
        guard let localIndex = link.index(of: packet.destination) else {
            counters.count(.ipv4NotForUs)
            return
        }
        guard link.isValidPeer(packet.source) else {
            counters.count(.ipv4BadSource)
            return
        }
        // Options (IHL > 5) are skipped: the payload starts after them.
        let datagram = ReceivedDatagram(
            packet: packet, source: packet.source, destination: packet.destination, localIndex: localIndex,
            linkSource: linkSource, linkBroadcast: linkBroadcast, payload: packet.payload)
        switch packet.protocol {
        case .icmp: receiveICMP(datagram)
        case .udp: receiveUDP(datagram)
        case .tcp: receiveTCP(datagram)
        default: counters.count(.ipv4UnknownProtocol)
        }
    }
}
