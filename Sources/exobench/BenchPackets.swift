// The minimum-size frames the network benchmarks send and classify: 60-byte Ethernet II +
// IPv4 + UDP (18-byte payload) or TCP (6-byte payload), built with ExoWire's representations.

import ExoWire
import ExoPacket

/// Builders of the benchmarks' 64-byte frames (60 bytes here: the NIC adds the 4-byte FCS).
enum BenchPackets {
    /// Bytes of a minimum Ethernet frame without its FCS.
    static let length = 60
    /// UDP payload that fills a minimum frame: 60 - 14 - 20 - 8.
    static let udpPayload = 18
    /// TCP payload that fills a minimum frame: 60 - 14 - 20 - 20.
    static let tcpPayload = 6

    /// One Ethernet/IPv4/UDP frame of `length` bytes with valid IPv4 and UDP checksums; the
    /// payload starts with `payload` (at most `udpPayload` bytes), then a fixed pattern.
    static func udp(
        from sourceMAC: MACAddress, to destinationMAC: MACAddress, _ source: IPv4Address, _ sourcePort: UInt16,
        _ destination: IPv4Address, _ destinationPort: UInt16, payload: [UInt8] = []
    ) -> [UInt8] {
        precondition(payload.count <= udpPayload)
        var frame = [UInt8](repeating: 0, count: length)
        let prefix = payload
        frame.withUnsafeMutableBytes { raw in
            let bytes = MutablePacketBytes(unsafeBuffer: raw)
            let ip = writeHeaders(bytes, sourceMAC, destinationMAC, source, destination, .udp, 8 + udpPayload)
            let payload = ip.payload
            for i in 0..<udpPayload { payload.setU8(8 + i, UInt8(truncatingIfNeeded: 0x41 + i)) }
            for (i, byte) in prefix.enumerated() { payload.setU8(8 + i, byte) }
            _ = try! UDPRepr(sourcePort: sourcePort, destinationPort: destinationPort, payloadLength: udpPayload)
                .emit(into: payload, source: source, destination: destination)
        }
        return frame
    }

    /// One Ethernet/IPv4/TCP frame (an ACK, data offset 5, checksum left zero: the
    /// demultiplexer does not verify transport checksums, the tenant's stack does); the
    /// payload starts with `payload` (at most `tcpPayload` bytes), the rest zero.
    static func tcp(
        from sourceMAC: MACAddress, to destinationMAC: MACAddress, _ source: IPv4Address, _ sourcePort: UInt16,
        _ destination: IPv4Address, _ destinationPort: UInt16, payload: [UInt8] = []
    ) -> [UInt8] {
        precondition(payload.count <= tcpPayload)
        var frame = [UInt8](repeating: 0, count: length)
        frame.withUnsafeMutableBytes { raw in
            let bytes = MutablePacketBytes(unsafeBuffer: raw)
            let ip = writeHeaders(bytes, sourceMAC, destinationMAC, source, destination, .tcp, 20 + tcpPayload)
            let tcp = ip.payload
            tcp.setU16(TCPHeader.Field.sourcePort.lowerBound, sourcePort)
            tcp.setU16(TCPHeader.Field.destinationPort.lowerBound, destinationPort)
            tcp.setU8(TCPHeader.Field.dataOffsetAndFlags.lowerBound, 5 << 4)
            tcp.setU8(TCPHeader.Field.dataOffsetAndFlags.lowerBound + 1, UInt8(TCPFlags.ack.rawValue))
            tcp.setU16(TCPHeader.Field.window.lowerBound, 65535)
            for (i, byte) in payload.enumerated() { tcp.setU8(20 + i, byte) }
        }
        return frame
    }

    private static func writeHeaders(
        _ bytes: MutablePacketBytes, _ sourceMAC: MACAddress, _ destinationMAC: MACAddress, _ source: IPv4Address,
        _ destination: IPv4Address, _ proto: IPProtocol, _ payloadLength: Int
    ) -> MutableIPv4Packet {
        EthernetRepr(destination: destinationMAC, source: sourceMAC, etherType: .ipv4)
            .emit(into: try! MutableEthernetPacket(checking: bytes))
        return try! IPv4Repr(source: source, destination: destination, protocol: proto, payloadLength: payloadLength)
            .emit(into: bytes.dropFirst(EthernetPacket.headerLength))
    }
}
