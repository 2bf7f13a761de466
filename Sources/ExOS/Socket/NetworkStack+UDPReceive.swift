// UDP's receive side (RFC 768, RFC 1122 §4.1.3): checksum (zero means none), demultiplexing
// by local endpoint, the connected-peer filter, the bounded receive queue, and port
// unreachable for datagrams nobody listens for on an owned address.

import ExoPacket

extension NetworkStack {
    mutating func receiveUDP(_ datagram: ReceivedDatagram) {
        guard let udp = try? UDPDatagram(checking: datagram.payload), udp.destinationPort != 0
        else {
            counters.count(.udpMalformed)
            return
        }
        guard udp.checksumIsValid(source: datagram.source, destination: datagram.destination) else {
            counters.count(.udpBadChecksum)
            return
        }
        let key = FlowKey(proto: .udp, localAddress: datagram.destination, localPort: udp.destinationPort)
        guard let index = flows.find(key), udpSockets.isOpen(index) else {
            counters.count(.udpNoSocket)
            sendUnreachable(code: 3, about: datagram)
            return
        }
        let from = UDPEndpoint(address: datagram.source, port: udp.sourcePort)
        guard udpSockets[index: index].accepts(from: from) else {
            counters.count(.udpNotFromPeer)
            return
        }
        let payload = udp.payload
        let queued = udpSockets[index: index].receiveQueue.enqueue(
            length: payload.count, metadata: ReceivedFrom(source: from, destination: datagram.destination)
        ) { destination in
            destination.copy(payload, to: 0)
        }
        guard queued else {
            counters.count(.udpReceiveQueueFull)
            return
        }
        counters.udpDelivered &+= 1
        announceReadable(udp: index)
    }
}
