// ICMP errors about a connection's segments (RFC 1122 §4.2.3.9, RFC 5927): only when the
// quoted sequence number is one in flight (so a blind attacker must guess it). "Fragmentation
// needed" lowers the connection's segment size (path MTU discovery, RFC 1191: the stack sets
// DF on everything); port and protocol unreachable end a connection still in SYN-SENT; other
// errors are soft, kept and reported only if the retransmissions then fail.

import ExoPacket

extension NetworkStack {
    /// Hands an ICMP error quoting a TCP segment to its connection; false when none matches.
    mutating func deliverTCPError(_ report: ICMPErrorReport, quote: ICMPv4Quote, restOfHeader: UInt32) -> Bool {
        let key = FlowKey(
            proto: .tcp, localAddress: quote.source, localPort: quote.sourcePort, remoteAddress: quote.destination,
            remotePort: quote.destinationPort)
        guard let index = flows.find(key), tcpConnections.isOpen(index) else { return false }
        guard quote.bytes.count >= quote.headerLength + 8 else { return false }
        let sequence = TCPSequenceNumber(quote.bytes.u32(quote.headerLength + 4))
        let unacknowledged = tcpConnections[index: index].sender.space.unacknowledged
        let inFlight = max(tcpConnections[index: index].sender.space.maximum - unacknowledged, 0)
        guard sequence.isWithin(unacknowledged, length: inFlight) else {
            counters.tcp.icmpErrorsIgnored &+= 1
            return true
        }
        counters.tcp.icmpErrorsAccepted &+= 1
        if report.type == 3, report.code == 4 {
            let nextHopMTU = Int(restOfHeader & 0xFFFF)
            let timestamps = tcpConnections[index: index].agreed.timestampsEnabled
            if tcpConnections[index: index].sender.lowerPathMTU(to: nextHopMTU, timestamps: timestamps) {
                connectionChanged(index, .transmit)
            }
            return true
        }
        if report.type == 3, report.code == 2 || report.code == 3, tcpConnections[index: index].state == .synSent {
            tcpConnections[index: index].fail(.unreachable(report))
            connectionChanged(index, [.closed, .readable, .writable])
            return true
        }
        tcpConnections[index: index].softError = report
        return true
    }
}
