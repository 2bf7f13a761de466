// UDP's packet path (RFC 768, RFC 1122 §4.1.3). In: checksum (zero means none),
// demultiplexing by local endpoint, the connected-peer filter, the bounded receive queue,
// and ICMP errors about the socket's datagrams. Out: one queued datagram per turn, written
// straight into the device's buffer.

import ExoPacket

extension UDPSockets {
    /// Delivers a received datagram to its socket; false when no socket has its endpoint
    /// (the stack then answers port unreachable).
    mutating func receive(_ datagram: ReceivedDatagram, core: inout StackCore) -> Bool {
        guard let udp = try? UDPDatagram(checking: datagram.payload), udp.destinationPort != 0
        else {
            core.counters.count(.udpMalformed)
            return true
        }
        guard udp.checksumIsValid(source: datagram.source, destination: datagram.destination) else {
            core.counters.count(.udpBadChecksum)
            return true
        }
        let key = FlowKey(proto: .udp, localAddress: datagram.destination, localPort: udp.destinationPort)
        guard let index = core.flows.find(key), table.isOpen(index) else {
            core.counters.count(.udpNoSocket)
            return false
        }
        let from = UDPEndpoint(address: datagram.source, port: udp.sourcePort)
        guard table[index: index].accepts(from: from) else {
            core.counters.count(.udpNotFromPeer)
            return true
        }
        let payload = udp.payload
        let queued = table[index: index].receiveQueue.enqueue(
            length: payload.count, metadata: ReceivedFrom(source: from, destination: datagram.destination)
        ) { destination in
            destination.copy(payload, to: 0)
        }
        guard queued else {
            core.counters.count(.udpReceiveQueueFull)
            return true
        }
        core.counters.udpDelivered &+= 1
        core.glean(datagram)
        announceReadable(index, core: &core)
        return true
    }

    /// Hands an ICMP error quoting one of a socket's datagrams to it; false when none matches.
    mutating func deliverError(_ report: ICMPErrorReport, quote: ICMPv4Quote, core: inout StackCore) -> Bool {
        let key = FlowKey(proto: .udp, localAddress: quote.source, localPort: quote.sourcePort)
        let peer = UDPEndpoint(address: quote.destination, port: quote.destinationPort)
        guard let index = core.flows.find(key), table.isOpen(index), table[index: index].accepts(from: peer) else {
            return false
        }
        table[index: index].error = .icmp(report)
        announceReadable(index, core: &core)
        return true
    }

    /// Sends (or parks) the oldest datagram of socket `handle`.
    mutating func transmit(_ handle: SlotHandle, into buffer: MutablePacketBytes, core: inout StackCore) -> Int? {
        guard let index = table.resolve(handle) else { return nil }
        guard let peer = table[index: index].transmitQueue.frontMetadata else {
            table[index: index].transmitScheduled = false
            return nil
        }
        let local = core.link.addresses[table[index: index].localIndex]
        let localPort = table[index: index].local.port
        let resolution = core.route(to: peer.address, source: table[index: index].localIndex)
        let destinationMAC = resolution.mac ?? .zero
        let identification = core.nextIdentification()
        let length =
            table[index: index].transmitQueue.withFront { _, payload -> Int in
                let length = FrameBuilder.udpPayloadOffset + payload.count
                guard length <= buffer.count else { return -1 }
                let frame = buffer.prefix(length)
                frame.copy(payload, to: FrameBuilder.udpPayloadOffset)
                let udp = UDPRepr(sourcePort: localPort, destinationPort: peer.port, payloadLength: payload.count)
                _ = try? udp.emit(
                    into: frame.dropFirst(FrameBuilder.payloadOffset), source: local.address, destination: peer.address)
                let ip = IPv4Repr(
                    source: local.address, destination: peer.address, protocol: .udp, payloadLength: udp.length,
                    identification: identification)
                FrameBuilder.writeHeaders(into: frame, destination: destinationMAC, source: local.mac, ip: ip)
                return length
            } ?? -1
        table[index: index].transmitQueue.removeFront()
        announceWritable(index, core: &core)
        if table[index: index].transmitQueue.isEmpty {
            table[index: index].transmitScheduled = false
        } else {
            core.schedule(.udp(handle))
        }
        guard length >= 0 else {
            core.counters.count(.transmitBufferTooSmall)
            return nil
        }
        guard core.finish(buffer.prefix(length), resolution, origin: .udp(handle)) else { return nil }
        core.counters.udpSent &+= 1
        return length
    }
}
