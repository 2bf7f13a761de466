// The packet-parser target: the one strict parse the egress guard and the demultiplexer
// share, then the representation of each layer it accepted.

import ExoCore
import ExoPacket

enum PacketParserFuzzing {
    /// Inspects `bytes` as a frame. For a frame the parse accepts, each layer's views must lie
    /// within the frame and each layer's representation must parse without trapping (it may
    /// refuse what the strict parse does not look at, such as TCP options).
    static func run(_ bytes: UnsafeRawBufferPointer) throws(FuzzFinding) -> FuzzVerdict {
        let frame = PacketBytes(unsafeBuffer: bytes)
        guard let inspected = try? InspectedPacket(inspecting: frame) else { return .refused }
        let payload = inspected.ethernet.payload
        guard payload.count == bytes.count - 14 else { throw FuzzFinding("Ethernet payload of \(payload.count) bytes") }
        _ = EthernetRepr(parsing: inspected.ethernet)
        switch inspected.content {
        case .arp(let arp):
            _ = try? ARPRepr(parsing: arp)
        case .ipv4(let packet, let content):
            guard packet.totalLength <= payload.count else {
                throw FuzzFinding("IPv4 total length \(packet.totalLength) past a \(payload.count)-byte payload")
            }
            _ = try? IPv4Repr(parsing: packet)
            try layer(content, of: packet)
        }
        return .accepted
    }

    private static func layer(_ content: InspectedPacket.IPv4Content, of packet: IPv4Packet) throws(FuzzFinding) {
        let transport = packet.payload
        switch content {
        case .udp(let datagram):
            guard datagram.length == transport.count else {
                throw FuzzFinding("UDP length \(datagram.length) in a \(transport.count)-byte IPv4 payload")
            }
            _ = try? UDPRepr(parsing: datagram, source: packet.source, destination: packet.destination)
        case .tcp(let header):
            guard header.headerLength <= transport.count else {
                throw FuzzFinding("TCP header of \(header.headerLength) bytes in \(transport.count)")
            }
            _ = try? TCPRepr(parsing: header, source: packet.source, destination: packet.destination)
        case .echo(let message), .icmpError(let message, _):
            _ = try? ICMPv4Repr(parsing: message)
        case .fragment, .other:
            break
        }
    }
}
