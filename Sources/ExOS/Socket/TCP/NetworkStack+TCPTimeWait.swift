// TIME_WAIT gives way to a new incarnation of its connection: a SYN that is provably newer
// than anything of the old one (RFC 6191 with timestamps, RFC 1122 §4.2.2.13 by sequence
// number without) ends the TIME_WAIT and opens afresh at the listener, as Linux does. A
// client that reuses its port soon after a server closed first then connects at once,
// instead of drawing a challenge ACK and waiting out its SYN's retransmission.

import ExoPacket

extension NetworkStack {
    /// When the connection at `index` is in TIME_WAIT and `syn` opens a new incarnation of it
    /// at a listener, retires the old one and returns the new one's ISN: the old SND.NXT plus
    /// a maximum window, as Linux does, so that no segment of the old connection can be taken
    /// for one of the new; nil otherwise.
    mutating func endTimeWait(_ index: Int, for syn: TCPRepr, listening key: FlowKey) -> TCPSequenceNumber? {
        // The state first, read in place: `receiveTCP` asks for every segment of an existing
        // connection, and the call below copies the kilobyte-sized block (with its buffers'
        // retains) before it looks at anything; only a TIME_WAIT connection needs it.
        guard tcpConnections[index: index].state == .timeWait else { return nil }
        guard tcpConnections[index: index].yieldsToNewIncarnation(syn),
            let listener = flows.find(key), tcpListeners.isOpen(listener)
        else { return nil }
        let isn = tcpConnections[index: index].sender.space.next + 65_537
        counters.tcp.timeWaitReused &+= 1
        tcpConnections[index: index].timeWaitDeadline = nil
        tcpConnections[index: index].state = .closed
        retire(index)
        return isn
    }

    /// Frees the slot of the TIME_WAIT connection nearest its end whose application has
    /// closed it, when the table is full and a new connection needs room: a busy server's
    /// TIME_WAITs must not lock out its clients (Linux likewise drops TIME_WAIT state past
    /// `tcp_max_tw_buckets`). O(table) but only when the table is full. False when none.
    mutating func reclaimTimeWait() -> Bool {
        var oldest: (index: Int, deadline: Instant)?
        for index in 0..<tcpConnections.capacity where tcpConnections.isOpen(index) {
            guard tcpConnections[index: index].state == .timeWait, tcpConnections[index: index].orphaned,
                let deadline = tcpConnections[index: index].timeWaitDeadline
            else { continue }
            if oldest.map({ deadline < $0.deadline }) ?? true { oldest = (index, deadline) }
        }
        guard let oldest else { return false }
        counters.tcp.timeWaitRecycled &+= 1
        tcpConnections[index: oldest.index].timeWaitDeadline = nil
        tcpConnections[index: oldest.index].state = .closed
        retire(oldest.index)
        return true
    }
}
