// TIME_WAIT gives way to a new incarnation of its connection: a SYN that is provably newer
// than anything of the old one (RFC 6191 with timestamps, RFC 1122 §4.2.2.13 by sequence
// number without) ends the TIME_WAIT and opens afresh at the listener, as Linux does. A
// client that reuses its port soon after a server closed first then connects at once,
// instead of drawing a challenge ACK and waiting out its SYN's retransmission. And a full
// table takes the slot of the oldest orphaned TIME_WAIT.

import ExoPacket

extension TCPConnections {
    /// When the connection at `index` is in TIME_WAIT and `syn` opens a new incarnation of it
    /// at a listener, retires the old one and returns the new one's ISN: the old SND.NXT plus
    /// a maximum window, as Linux does, so that no segment of the old connection can be taken
    /// for one of the new; nil otherwise.
    mutating func endTimeWait(
        _ index: Int, for syn: TCPRepr, listening key: FlowKey, core: inout StackCore, listeners: inout TCPListeners
    ) -> TCPSequenceNumber? {
        // The state first, read in place: the receive path asks for every segment of an
        // existing connection, and the call below copies the kilobyte-sized block (with its
        // buffers' retains) before it looks at anything; only a TIME_WAIT connection needs it.
        guard table[index: index].state == .timeWait else { return nil }
        guard table[index: index].yieldsToNewIncarnation(syn),
            let listener = core.flows.find(key), listeners.table.isOpen(listener)
        else { return nil }
        let isn = table[index: index].sender.space.next + 65_537
        core.counters.tcp.timeWaitReused &+= 1
        table[index: index].timeWaitDeadline = nil
        table[index: index].state = .closed
        retire(index, core: &core, listeners: &listeners)
        return isn
    }

    /// Frees the slot of the TIME_WAIT connection nearest its end whose application has
    /// closed it, when the table is full and a new connection needs room: a busy server's
    /// TIME_WAITs must not lock out its clients (Linux likewise drops TIME_WAIT state past
    /// `tcp_max_tw_buckets`). O(table) but only when the table is full. False when none.
    mutating func reclaimTimeWait(core: inout StackCore, listeners: inout TCPListeners) -> Bool {
        var oldest: (index: Int, deadline: Instant)?
        for index in 0..<table.capacity where table.isOpen(index) {
            guard table[index: index].state == .timeWait, table[index: index].orphaned,
                let deadline = table[index: index].timeWaitDeadline
            else { continue }
            if oldest.map({ deadline < $0.deadline }) ?? true { oldest = (index, deadline) }
        }
        guard let oldest else { return false }
        core.counters.tcp.timeWaitRecycled &+= 1
        table[index: oldest.index].timeWaitDeadline = nil
        table[index: oldest.index].state = .closed
        retire(oldest.index, core: &core, listeners: &listeners)
        return true
    }
}
