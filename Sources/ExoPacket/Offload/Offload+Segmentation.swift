// GSO in software: one TCPv4 or UDP_SEGMENT super-frame becomes wire-sized frames, each built
// in a caller's scratch buffer with its own lengths, IP id, sequence number and checksums.

extension Offload {
    /// Where the layers of a checked super-frame are and what segmenting it takes.
    struct SuperPacket {
        /// Ethernet + IPv4 (options included) + transport header bytes, copied to every segment.
        var headersLength: Int
        var ipHeaderLength: Int
        var transportHeaderLength: Int
        var payloadLength: Int
        var segmentSize: Int
        var isTCP: Bool

        var segmentCount: Int { payloadLength == 0 ? 1 : (payloadLength + segmentSize - 1) / segmentSize }
        /// The largest segment (the first): headers plus at most one segment of payload.
        var largestFrame: Int { headersLength + min(segmentSize, payloadLength) }
    }

    /// Splits a GSO super-frame into frames carrying at most `gso_size` payload bytes each,
    /// and hands each to `body` in turn; returns how many it handed over.
    ///
    /// Supports TCPv4 (with or without the ECN bit) and UDP_L4 (UDP_SEGMENT) over IPv4, IPv4
    /// options included (copied to every segment, as Linux's GSO does). Per segment: IPv4
    /// total length, identification (+1 per segment, as `inet_gso_segment` does for TCP and
    /// UDP_L4) and header checksum; TCP sequence number advancing by the payload before it,
    /// FIN and PSH only on the last segment, CWR only on the first, and the full TCP
    /// checksum; UDP length and full checksum. The last segment may be shorter. A frame
    /// without GSO is handed over once, copied, its partial checksum completed.
    ///
    /// Everything is checked before the first segment is built, so a refusal hands over
    /// nothing. Each segment is written into `scratch` (memory the daemon alone writes, at
    /// least the largest segment); the window passed to `body` is valid only during that
    /// call and is overwritten by the next segment. No allocation.
    @discardableResult
    public static func segment(
        _ frame: PacketBytes, header: VirtioNetHeader, scratch: MutablePacketBytes, maximumFrame: Int,
        _ body: (PacketBytes) -> Void
    ) throws(OffloadFault) -> Int {
        try header.check(frameLength: frame.count)
        guard header.isSegmentationOffload else {
            guard frame.count <= maximumFrame, frame.count <= scratch.count else { throw .segmentTooLarge }
            scratch.copy(frame, to: 0)
            let copy = scratch.prefix(frame.count)
            try completeChecksum(copy, header: header)
            body(copy.readOnly)
            return 1
        }
        let layout = try inspect(frame, header: header)
        guard layout.largestFrame <= maximumFrame, layout.largestFrame <= scratch.count else { throw .segmentTooLarge }
        let headers = frame.prefix(layout.headersLength)
        let payload = frame.dropFirst(layout.headersLength)
        let ip = IPv4Packet(unchecked: frame.dropFirst(EthernetPacket.headerLength))
        let firstID = ip.identification
        let count = layout.segmentCount
        for index in 0..<count {
            let offset = index * layout.segmentSize
            let length = min(layout.segmentSize, layout.payloadLength - offset)
            scratch.copy(headers, to: 0)
            scratch.copy(payload.slice(offset, length), to: layout.headersLength)
            let out = scratch.prefix(layout.headersLength + length)
            fixIPv4(out, layout: layout, payload: length, id: firstID &+ UInt16(truncatingIfNeeded: index))
            let transport = out.dropFirst(EthernetPacket.headerLength + layout.ipHeaderLength)
            if layout.isTCP {
                fixTCP(transport, ip: ip, offset: offset, first: index == 0, last: index == count - 1)
            } else {
                fixUDP(transport, ip: ip)
            }
            body(out.readOnly)
        }
        return count
    }

    /// Checks the super-frame's layers against the header and locates them.
    static func inspect(_ frame: PacketBytes, header: VirtioNetHeader) throws(OffloadFault) -> SuperPacket {
        let isTCP: Bool
        switch header.gsoType {
        case .tcpv4: isTCP = true
        case .udpL4: isTCP = false
        case .none, .udp, .tcpv6: throw .unsupportedGSOType
        }
        guard let ethernet = try? EthernetPacket(checking: frame) else { throw .malformedIPv4 }
        guard ethernet.etherType == .ipv4 else {
            // UDP_L4 is also used for IPv6; only the EtherType tells which.
            throw ethernet.etherType == .ipv6 ? .unsupportedGSOType : .notIPv4
        }
        guard let ip = try? IPv4Packet(checking: ethernet.payload) else { throw .malformedIPv4 }
        guard ip.totalLength == ethernet.payload.count, !ip.isFragment, !ip.reservedFlag else { throw .malformedIPv4 }
        guard ip.checksumIsValid else { throw .badIPChecksum }
        guard ip.protocol == (isTCP ? IPProtocol.tcp : IPProtocol.udp) else { throw .protocolMismatch }
        let transportStart = EthernetPacket.headerLength + ip.headerLength
        let transportLength: Int
        if isTCP {
            guard let tcp = try? TCPHeader(checking: ip.payload) else { throw .malformedTransport }
            transportLength = tcp.headerLength
        } else {
            guard let udp = try? UDPDatagram(checking: ip.payload), udp.length == ip.payload.count else {
                throw .malformedTransport
            }
            transportLength = UDPDatagram.headerLength
        }
        if header.flags.contains(.needsChecksum) {
            let field = isTCP ? TCPHeader.Field.checksum.lowerBound : UDPDatagram.Field.checksum.lowerBound
            guard Int(header.checksumStart) == transportStart, Int(header.checksumOffset) == field else {
                throw .badChecksumLocation
            }
        }
        let headersLength = transportStart + transportLength
        return SuperPacket(
            headersLength: headersLength, ipHeaderLength: ip.headerLength, transportHeaderLength: transportLength,
            payloadLength: frame.count - headersLength, segmentSize: Int(header.gsoSize), isTCP: isTCP)
    }

    static func fixIPv4(_ out: MutablePacketBytes, layout: SuperPacket, payload: Int, id: UInt16) {
        let ip = out.dropFirst(EthernetPacket.headerLength)
        ip.setU16(IPv4Packet.Field.totalLength.lowerBound, UInt16(layout.ipHeaderLength + layout.transportHeaderLength + payload))
        ip.setU16(IPv4Packet.Field.identification.lowerBound, id)
        ip.setU16(IPv4Packet.Field.checksum.lowerBound, 0)
        ip.setU16(IPv4Packet.Field.checksum.lowerBound, InternetChecksum.of(ip.readOnly.prefix(layout.ipHeaderLength)))
    }

    static func fixTCP(_ segment: MutablePacketBytes, ip: IPv4Packet, offset: Int, first: Bool, last: Bool) {
        let view = segment.readOnly
        let sequence = view.u32(TCPHeader.Field.sequenceNumber.lowerBound)
        segment.setU32(TCPHeader.Field.sequenceNumber.lowerBound, sequence &+ UInt32(truncatingIfNeeded: offset))
        let flagsOffset = TCPHeader.Field.dataOffsetAndFlags.lowerBound + 1
        var flags = view.u8(flagsOffset)
        if !last { flags &= ~UInt8(truncatingIfNeeded: TCPFlags.fin.rawValue | TCPFlags.psh.rawValue) }
        if !first { flags &= ~UInt8(truncatingIfNeeded: TCPFlags.cwr.rawValue) }
        segment.setU8(flagsOffset, flags)
        fillChecksum(segment, at: TCPHeader.Field.checksum.lowerBound, ip: ip, protocol: .tcp)
    }

    static func fixUDP(_ datagram: MutablePacketBytes, ip: IPv4Packet) {
        datagram.setU16(UDPDatagram.Field.length.lowerBound, UInt16(datagram.count))
        fillChecksum(datagram, at: UDPDatagram.Field.checksum.lowerBound, ip: ip, protocol: .udp)
    }

    /// The full transport checksum over pseudo-header, header and payload; a computed zero is
    /// stored as 0xFFFF (UDP reserves zero for "none"; for TCP both verify).
    static func fillChecksum(_ transport: MutablePacketBytes, at field: Int, ip: IPv4Packet, protocol proto: IPProtocol) {
        transport.setU16(field, 0)
        var sum = InternetChecksum(
            pseudoHeaderSource: ip.source, destination: ip.destination, protocol: proto, length: UInt16(transport.count))
        sum.add(transport.readOnly)
        let value = sum.value
        transport.setU16(field, value == 0 ? 0xFFFF : value)
    }
}
