// The stack's side of ARP (the protocol itself is `NeighborResolver`'s): learning from
// accepted datagrams, the control frames every layer queues answers into, and telling the
// sockets whose datagrams were dropped because their neighbor never answered.

import ExoPacket

extension NetworkStack {
    /// Learns an on-link sender's MAC from a datagram the stack accepted (a socket took it,
    /// or an echo was answered). On a shared address this is the only way: the daemon
    /// answers ARP for the address, so replies to the stack's requests go to the daemon.
    /// It also saves a server an ARP round trip before its first answer. Only datagrams
    /// something accepted teach, so garbage cannot churn the cache.
    mutating func glean(_ datagram: ReceivedDatagram) {
        resolver.learn(datagram, now: now)
    }

    /// Appends a ready-made frame to the control frames; false (counted) when they are full.
    mutating func enqueueControl(length: Int, _ fill: (MutablePacketBytes) -> Void) -> Bool {
        control.enqueue(length: length, counters: &counters, fill)
    }

    /// Tells the sockets and pingers whose frames ARP gave up on: a UDP socket gets
    /// `hostUnreachable` as its error, a pinger an event. TCP treats it as a soft error (RFC
    /// 1122 §4.2.3.9): its retransmissions retry ARP.
    mutating func tellUnreachable() {
        while let (origin, address) = resolver.nextUnreachable() {
            switch origin {
            case .stack, .tcp:
                break
            case .udp(let handle):
                guard let socket = udpSockets.resolve(handle) else { continue }
                udpSockets[index: socket].error = .hostUnreachable(address)
                announceReadable(udp: socket)
            case .pinger(let handle):
                guard let pinger = pingers.resolve(handle) else { continue }
                if pingers[index: pinger].post(.hostUnreachable(address)) {
                    announceReadable(pinger: pinger)
                } else {
                    counters.count(.pingerQueueFull)
                }
            }
        }
    }
}
