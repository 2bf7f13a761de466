// The echo server's packet logic, pure and in place: parse Ethernet/ARP/IPv4/UDP with the
// packet views, check both checksums, and rewrite a frame into its answer.

import ExoWire
import ExoPacket

/// What to do with one received frame.
enum EchoVerdict {
    /// Answer an ARP request for our address: `length` bytes to send once rewritten.
    case arpReply(length: Int)
    /// Echo a UDP datagram: `length` bytes received (the echo may be shorter: see `writeEcho`).
    case echo(length: Int, payload: Int, from: IPv4Address, port: UInt16)
    case drop(EchoDrop)
}

/// Why a frame was not answered (each counted).
enum EchoDrop: String, CaseIterable {
    case malformed, notForUs, badIPv4Checksum, badUDPChecksum, fragment, otherProtocol, arpNotRequest
}

/// Our identity on the link and the port we serve.
struct EchoResponder {
    var mac: MACAddress
    var address: IPv4Address
    var port: UInt16
    /// True when we own the address whole (so we answer ARP for it).
    var ownsAddress: Bool

    /// Decides what `frame` (the received bytes) calls for, reading only.
    func classify(_ frame: PacketBytes) -> EchoVerdict {
        guard let ethernet = try? EthernetPacket(checking: frame) else { return .drop(.malformed) }
        switch ethernet.etherType {
        case .arp:
            guard let arp = try? ARPPacket(checking: ethernet.payload) else { return .drop(.malformed) }
            guard arp.operation == .request else { return .drop(.arpNotRequest) }
            guard ownsAddress, arp.targetProtocol == address else { return .drop(.notForUs) }
            return .arpReply(length: EthernetPacket.headerLength + ARPPacket.length)
        case .ipv4:
            guard let ip = try? IPv4Packet(checking: ethernet.payload) else { return .drop(.malformed) }
            guard ip.checksumIsValid else { return .drop(.badIPv4Checksum) }
            guard ip.destination == address else { return .drop(.notForUs) }
            guard !ip.isFragment else { return .drop(.fragment) }
            guard ip.protocol == .udp else { return .drop(.otherProtocol) }
            guard let udp = try? UDPDatagram(checking: ip.payload) else { return .drop(.malformed) }
            guard udp.checksumIsValid(source: ip.source, destination: ip.destination) else { return .drop(.badUDPChecksum) }
            guard udp.destinationPort == port else { return .drop(.notForUs) }
            return .echo(
                length: EthernetPacket.headerLength + ip.totalLength, payload: udp.length - UDPDatagram.headerLength,
                from: ip.source, port: udp.sourcePort)
        default:
            return .drop(.otherProtocol)
        }
    }

    /// Rewrites a frame `classify` answered `.arpReply` into the reply, in place.
    func writeARPReply(into frame: MutablePacketBytes) {
        let request = ARPPacket(checkedAlready: frame.readOnly.dropFirst(EthernetPacket.headerLength))
        let asker = request.senderHardware
        let askerAddress = request.senderProtocol
        EthernetRepr(destination: asker, source: mac, etherType: .arp).emit(into: try! MutableEthernetPacket(checking: frame))
        ARPRepr(
            operation: .reply, senderHardware: mac, senderProtocol: address, targetHardware: asker,
            targetProtocol: askerAddress
        ).emit(into: frame.dropFirst(EthernetPacket.headerLength))
    }

    /// Rewrites a frame `classify` answered `.echo` into the echo, in place: addresses and
    /// ports swapped, TTL reset, both checksums recomputed, the payload untouched. IPv4
    /// options of the request are not echoed (the daemon's egress guard refuses options from
    /// tenants): the UDP datagram moves up behind a 20-byte header. Returns the echo's length.
    func writeEcho(into frame: MutablePacketBytes) -> Int {
        let ethernet = try! MutableEthernetPacket(checking: frame)
        let peerMAC = ethernet.view.source
        ethernet.setDestination(peerMAC)
        ethernet.setSource(mac)
        Self.dropOptions(ethernet.payload)
        let ip = try! MutableIPv4Packet(checking: ethernet.payload)
        let peer = ip.view.source
        ip.setSource(address)
        ip.setDestination(peer)
        ip.setTimeToLive(64)
        ip.fillChecksum()
        let udp = try! MutableUDPDatagram(checking: ip.payload)
        let peerPort = udp.view.sourcePort
        udp.setSourcePort(port)
        udp.setDestinationPort(peerPort)
        udp.fillChecksum(source: address, destination: peer)
        return EthernetPacket.headerLength + ip.view.totalLength
    }

    /// Removes the options of the IPv4 datagram at the start of `bytes` (checked by
    /// `classify`), moving its payload forward; the header checksum is left for the caller.
    static func dropOptions(_ bytes: MutablePacketBytes) {
        let packet = bytes.readOnly
        let headerLength = Int(packet.u8(0) & 0x0F) * 4
        guard headerLength > IPv4Packet.minimumHeaderLength else { return }
        let payloadLength = Int(packet.u16(2)) - headerLength
        // Forward, byte by byte: the destination starts before the source.
        for offset in 0..<payloadLength {
            bytes.setU8(IPv4Packet.minimumHeaderLength + offset, packet.u8(headerLength + offset))
        }
        bytes.setU8(0, 0x45)
        bytes.setU16(2, UInt16(IPv4Packet.minimumHeaderLength + payloadLength))
    }
}

extension ARPPacket {
    /// A view over bytes `EchoResponder.classify` already checked.
    init(checkedAlready bytes: PacketBytes) {
        self = try! ARPPacket(checking: bytes)
    }
}
