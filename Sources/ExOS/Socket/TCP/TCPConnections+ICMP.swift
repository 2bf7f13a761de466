// ICMP errors about a connection's segments (RFC 1122 §4.2.3.9, RFC 5927): only when the
// quoted sequence number is one in flight (so a blind attacker must guess it). "Fragmentation
// needed" lowers the connection's segment size (path MTU discovery, RFC 1191: the stack sets
// DF on everything); port and protocol unreachable end a connection still in SYN-SENT; other
// errors are soft, kept and reported only if the retransmissions then fail.

import ExoPacket

extension TCPConnections {
    /// Hands an ICMP error quoting a TCP segment to its connection; false when none matches.
    mutating func deliverError(
        _ report: ICMPErrorReport, quote: ICMPv4Quote, restOfHeader: UInt32, core: inout StackCore,
        listeners: inout TCPListeners
    ) -> Bool {
        let key = FlowKey(
            proto: .tcp, localAddress: quote.source, localPort: quote.sourcePort, remoteAddress: quote.destination,
            remotePort: quote.destinationPort)
        guard let index = core.flows.find(key), table.isOpen(index) else { return false }
        guard quote.bytes.count >= quote.headerLength + 8 else { return false }
        let sequence = TCPSequenceNumber(quote.bytes.u32(quote.headerLength + 4))
        let unacknowledged = table[index: index].sender.space.unacknowledged
        let inFlight = max(table[index: index].sender.space.maximum - unacknowledged, 0)
        guard sequence.isWithin(unacknowledged, length: inFlight) else {
            core.counters.tcp.icmpErrorsIgnored &+= 1
            return true
        }
        core.counters.tcp.icmpErrorsAccepted &+= 1
        if report.type == 3, report.code == 4 {
            let nextHopMTU = Int(restOfHeader & 0xFFFF)
            let timestamps = table[index: index].agreed.timestampsEnabled
            if table[index: index].sender.lowerPathMTU(to: nextHopMTU, timestamps: timestamps) {
                changed(index, .transmit, core: &core, listeners: &listeners)
            }
            return true
        }
        if report.type == 3, report.code == 2 || report.code == 3, table[index: index].state == .synSent {
            table[index: index].fail(.unreachable(report))
            changed(index, [.closed, .readable, .writable], core: &core, listeners: &listeners)
            return true
        }
        table[index: index].softError = report
        return true
    }
}
