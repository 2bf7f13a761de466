// The one strict parse of a frame, shared by the egress guard and the demultiplexer so the
// two can never read one frame differently. Views only: no allocation, no copies.
import ExoWire
import ExoPacket

/// A frame that passed every check of `PacketFault`, with views of its layers. Its views
/// borrow the inspected bytes: use it only while they are lent (see `PacketBytes`).
public struct InspectedPacket {
    /// What the IPv4 datagram carries, as far as routing it needs.
    public enum IPv4Content {
        case udp(UDPDatagram)
        case tcp(TCPHeader)
        /// Echo request or reply.
        case echo(ICMPv4Message)
        /// An ICMP error and the datagram it quotes.
        case icmpError(ICMPv4Message, ICMPv4Quote)
        /// Any fragment of a fragmented datagram; its transport header is not examined.
        case fragment
        /// Another protocol, without ports.
        case other
    }

    /// The frame's payload.
    public enum Content {
        case arp(ARPPacket)
        case ipv4(IPv4Packet, IPv4Content)
    }

    public let ethernet: EthernetPacket
    public let content: Content
    /// The kinds of IPv4 option the datagram carries (empty without options, and for ARP).
    /// The transport header was located past them (IHL × 4).
    public let ipOptionKinds: IPv4OptionKinds

    /// Applies the strict rules, in order, and names the first one broken.
    public init(inspecting bytes: PacketBytes) throws(PacketFault) {
        guard let ethernet = try? EthernetPacket(checking: bytes) else { throw .truncatedEthernet }
        let type = ethernet.etherType
        guard type.isEthernetII else { throw .notEthernetII }
        guard !type.isVLANTag else { throw .vlanTagged }
        guard type != .macControl else { throw .pauseFrame }
        guard type == .ipv4 || type == .arp else { throw .unsupportedEtherType }
        guard !ethernet.source.isMulticast else { throw .multicastSource }
        self.ethernet = ethernet
        if type == .arp {
            content = .arp(try Self.arp(ethernet.payload))
            ipOptionKinds = []
        } else {
            let parsed = try Self.ipv4(ethernet.payload)
            content = parsed.content
            ipOptionKinds = parsed.options
        }
    }

    /// True when an Ethernet payload of `available` bytes carries exactly `length` bytes,
    /// or `length` padded to the minimum frame.
    static func fits(_ length: Int, in available: Int) -> Bool {
        available == length || (available == EthernetPacket.minimumPayload && length < available)
    }

    static func arp(_ payload: PacketBytes) throws(PacketFault) -> ARPPacket {
        guard fits(ARPPacket.length, in: payload.count), let packet = try? ARPPacket(checking: payload)
        else { throw .malformedARP }
        guard packet.operation == .request || packet.operation == .reply else { throw .unsupportedARPOperation }
        return packet
    }

    static func ipv4(_ payload: PacketBytes) throws(PacketFault) -> (content: Content, options: IPv4OptionKinds) {
        let packet: IPv4Packet
        do {
            packet = try IPv4Packet(checking: payload)
        } catch {
            throw error == .truncated ? .truncatedIPv4 : .malformedIPv4
        }
        guard !packet.reservedFlag else { throw .malformedIPv4 }
        guard fits(packet.totalLength, in: payload.count) else { throw .ipLengthMismatch }
        let kinds: IPv4OptionKinds
        do {
            kinds = packet.hasOptions ? try IPv4Option.walk(packet.options) : []
        } catch {
            throw .malformedIPOptions
        }
        guard packet.checksumIsValid else { throw .badIPChecksum }
        if packet.isFragment { return (.ipv4(packet, .fragment), kinds) }
        switch packet.protocol {
        case .udp: return (.ipv4(packet, .udp(try udp(packet.payload))), kinds)
        case .tcp: return (.ipv4(packet, .tcp(try tcp(packet.payload))), kinds)
        case .icmp: return (.ipv4(packet, try icmp(packet.payload)), kinds)
        default: return (.ipv4(packet, .other), kinds)
        }
    }

    static func udp(_ payload: PacketBytes) throws(PacketFault) -> UDPDatagram {
        guard let datagram = try? UDPDatagram(checking: payload), datagram.length == payload.count,
            datagram.destinationPort != 0
        else { throw .malformedUDP }
        return datagram
    }

    static func tcp(_ payload: PacketBytes) throws(PacketFault) -> TCPHeader {
        guard let header = try? TCPHeader(checking: payload), header.sourcePort != 0, header.destinationPort != 0
        else { throw .malformedTCP }
        return header
    }

    static func icmp(_ payload: PacketBytes) throws(PacketFault) -> IPv4Content {
        guard let message = try? ICMPv4Message(checking: payload) else { throw .malformedICMP }
        guard message.checksumIsValid else { throw .badICMPChecksum }
        let type = message.type
        if type.isEcho {
            guard message.code == 0 else { throw .malformedICMP }
            return .echo(message)
        }
        guard type.isError else { throw .unsupportedICMPType }
        guard let quote = try? ICMPv4Quote(checking: message.data) else { throw .malformedICMPQuote }
        return .icmpError(message, quote)
    }
}
