// The receive path's first two layers: Ethernet II (our MACs and broadcast only, no VLAN
// tags) and IPv4 (header checksum, options skipped, fragments refused, our addresses only).
// ARP goes to the resolver here; each accepted datagram goes back to `NetworkStack`, which
// hands it to the part for its protocol.

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

extension StackCore {
    /// Checks one received Ethernet frame (counted received) and returns the IPv4 datagram in
    /// it; nil when it was ARP (handled, at `now` as given) or dropped (counted under one
    /// ``DropReason``).
    mutating func input(frame: PacketBytes, now: Instant) -> ReceivedDatagram? {
        counters.framesReceived &+= 1
        guard frame.count <= configuration.maximumFrameLength + 4 else {
            // 4: room for an FCS some devices leave on; anything longer was never ours.
            counters.count(.frameTooLong)
            return nil
        }
        guard let ethernet = try? EthernetPacket(checking: frame) else {
            counters.count(.ethernetTruncated)
            return nil
        }
        guard !ethernet.hasVLANTag else {
            counters.count(.ethernetVLANTagged)
            return nil
        }
        let destination = ethernet.destination
        guard destination.isBroadcast || link.ownsMAC(destination) else {
            counters.count(.ethernetNotForUs)
            return nil
        }
        guard ethernet.source.isUnicast else {
            counters.count(.ethernetBadSource)
            return nil
        }
        switch ethernet.etherType {
        case .arp: resolver.receive(ethernet.payload, now: now, control: &control, counters: &counters)
        case .ipv4: return inputIPv4(ethernet.payload, linkSource: ethernet.source, linkBroadcast: destination.isBroadcast)
        default: counters.count(.ethernetUnknownType)
        }
        return nil
    }

    private mutating func inputIPv4(_ bytes: PacketBytes, linkSource: MACAddress, linkBroadcast: Bool)
        -> ReceivedDatagram?
    {
        guard let packet = try? IPv4Packet(checking: bytes) else {
            counters.count(.ipv4Malformed)
            return nil
        }
        guard packet.checksumIsValid else {
            counters.count(.ipv4BadChecksum)
            return nil
        }
        guard !packet.isFragment else {
            // The daemon reassembles before delivery; a fragment here was not meant for us.
            counters.count(.ipv4Fragment)
            return nil
        }
        guard let localIndex = link.index(of: packet.destination) else {
            counters.count(.ipv4NotForUs)
            return nil
        }
        guard link.isValidPeer(packet.source) else {
            counters.count(.ipv4BadSource)
            return nil
        }
        // Options (IHL > 5) are skipped: the payload starts after them.
        return ReceivedDatagram(
            packet: packet, source: packet.source, destination: packet.destination, localIndex: localIndex,
            linkSource: linkSource, linkBroadcast: linkBroadcast, payload: packet.payload)
    }
}
