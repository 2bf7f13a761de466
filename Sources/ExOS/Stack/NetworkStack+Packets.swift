// The receive path: `StackCore.input` checks Ethernet and IPv4 (and answers ARP), then the
// datagram goes to the part for its protocol.
//
// The transmit path: one frame per call, written straight into the buffer the device lends
// (its memory, not a copy of the stack's). Order: ready-made control frames (ARP, ICMP
// answers), frames whose neighbor has just been resolved, then the sockets in turn (the
// rota in `StackCore`), one datagram or segment each, so one busy socket cannot starve the
// others; each socket part builds its own frames.

import ExoPacket

extension NetworkStack {
    /// Processes one received Ethernet frame at `now`. The frame is only borrowed: anything
    /// kept (a datagram for a socket, an answer) is copied into the stack's own queues.
    /// Every frame the stack does not use is counted under one ``DropReason``.
    public mutating func receive(frame: PacketBytes, now: Instant) {
        advance(to: now)
        guard let datagram = core.input(frame: frame, now: now) else { return }
        switch datagram.packet.protocol {
        case .icmp:
            responder.receive(
                datagram, core: &core, udp: &udp, pingers: &pingers, tcp: &tcp.connections, listeners: &tcp.listeners)
        case .udp:
            // Nobody listens: port unreachable (only from an owned address, rate-limited).
            if !udp.receive(datagram, core: &core) { responder.sendUnreachable(code: 3, about: datagram, core: &core) }
        case .tcp:
            tcp.receive(datagram, core: &core, responder: &responder)
        default:
            core.counters.count(.ipv4UnknownProtocol)
        }
    }

    /// Writes the next frame to send at `now` into `buffer` (the device's frame, at least
    /// `maximumFrameLength` bytes) and returns its length; nil when nothing is waiting.
    /// Call it until it returns nil (or the device is full), and again at `nextDeadline`.
    public mutating func transmit(now: Instant, into buffer: MutablePacketBytes) -> Int? {
        advance(to: now)
        while true {
            if let length = core.control.transmit(into: buffer, counters: &core.counters)
                ?? core.resolver.transmitResolved(into: buffer, counters: &core.counters)
            {
                core.counters.framesTransmitted &+= 1
                return length
            }
            guard let turn = core.transmitTurns.pop() else { return nil }
            let sent: Int?
            switch turn {
            case .udp(let handle): sent = udp.transmit(handle, into: buffer, core: &core)
            case .pinger(let handle): sent = pingers.transmit(handle, into: buffer, core: &core)
            case .tcp(let handle):
                sent = tcp.connections.transmit(handle, into: buffer, core: &core, listeners: &tcp.listeners)
            }
            if let sent {
                core.counters.framesTransmitted &+= 1
                return sent
            }
            // The datagram waits for ARP (or was dropped): the ARP request, if any, is next.
        }
    }
}
