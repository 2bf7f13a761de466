// The transmit path: one frame per call, written straight into the buffer the device lends
// (its memory, not a copy of the stack's). Order: ready-made control frames (ARP, ICMP
// answers), frames whose neighbor has just been resolved, then the sockets in turn, one
// datagram each, so one busy socket cannot starve the others.

import ExoPacket

extension NetworkStack {
    /// Writes the next frame to send at `now` into `buffer` (the device's frame, at least
    /// `maximumFrameLength` bytes) and returns its length; nil when nothing is waiting.
    /// Call it until it returns nil (or the device is full), and again at `nextDeadline`.
    public mutating func transmit(now: Instant, into buffer: MutablePacketBytes) -> Int? {
        advance(to: now)
        while true {
            if let length = control.transmit(into: buffer, counters: &counters)
                ?? resolver.transmitResolved(into: buffer, counters: &counters)
            {
                counters.framesTransmitted &+= 1
                return length
            }
            guard let turn = transmitTurns.pop() else { return nil }
            let sent: Int?
            switch turn {
            case .udp(let handle): sent = transmitUDP(handle, into: buffer)
            case .pinger(let handle): sent = transmitPing(handle, into: buffer)
            case .tcp(let handle): sent = transmitTCP(handle, into: buffer)
            }
            if let sent {
                counters.framesTransmitted &+= 1
                return sent
            }
            // The datagram waits for ARP (or was dropped): the ARP request, if any, is next.
        }
    }

    /// Sends (or parks) the oldest datagram of UDP socket `handle`.
    private mutating func transmitUDP(_ handle: SlotHandle, into buffer: MutablePacketBytes) -> Int? {
        guard let index = udpSockets.resolve(handle) else { return nil }
        guard let peer = udpSockets[index: index].transmitQueue.frontMetadata else {
            udpSockets[index: index].transmitScheduled = false
            return nil
        }
        let local = link.addresses[udpSockets[index: index].localIndex]
        let localPort = udpSockets[index: index].local.port
        let resolution = route(to: peer.address, source: udpSockets[index: index].localIndex)
        let destinationMAC = resolution.mac ?? .zero
        let identification = nextIdentification()
        let length =
            udpSockets[index: index].transmitQueue.withFront { _, payload -> Int in
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
        udpSockets[index: index].transmitQueue.removeFront()
        announceWritable(udp: index)
        if udpSockets[index: index].transmitQueue.isEmpty {
            udpSockets[index: index].transmitScheduled = false
        } else {
            transmitTurns.push(.udp(handle))
        }
        guard length >= 0 else {
            counters.count(.transmitBufferTooSmall)
            return nil
        }
        guard finish(buffer.prefix(length), resolution, origin: .udp(handle)) else { return nil }
        counters.udpSent &+= 1
        return length
    }

    /// Where a datagram to `destination` from local address `source` goes now.
    mutating func route(to destination: IPv4Address, source: Int) -> RouteResult {
        guard let hop = link.nextHop(to: destination) else { return .unroutable }
        let resolution = resolver.resolve(hop, source: source, now: now, control: &control, counters: &counters)
        tellUnreachable()
        switch resolution {
        case .mac(let mac): return .send(mac)
        case .pending(let entry): return .wait(entry)
        case .cacheFull: return .cacheFull
        }
    }

    /// Returns true when the frame built in `frame` can go now; otherwise parks it on its
    /// neighbor's pending list (or drops it, counted) and returns false.
    mutating func finish(_ frame: MutablePacketBytes, _ result: RouteResult, origin: PacketOrigin) -> Bool {
        switch result {
        case .send:
            return true
        case .wait(let entry):
            _ = resolver.park(frame, on: entry, origin: origin, counters: &counters)
            return false
        case .cacheFull:
            counters.count(.neighborCacheFull)
            return false
        case .unroutable:
            // `send` checked the route; only a changed configuration could get here.
            counters.count(.neighborUnresolved)
            return false
        }
    }
}

/// The output path's decision for one datagram.
enum RouteResult {
    case send(MACAddress)
    case wait(Int)
    case cacheFull
    case unroutable

    var mac: MACAddress? {
        if case .send(let mac) = self { return mac }
        return nil
    }
}
