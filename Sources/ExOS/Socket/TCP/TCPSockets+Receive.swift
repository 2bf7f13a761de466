// TCP's receive side in the stack: checksum and parse, demultiplexing (the connection's
// four-tuple, else a listener's endpoint), passive opens (a half-open connection, or a SYN
// cookie once the listener's backlog is full), and resets for segments nobody owns
// (RFC 9293 §3.10.7.1), rate-limited like ICMP errors.

import ExoPacket

extension TCPSockets {
    mutating func receive(_ datagram: ReceivedDatagram, core: inout StackCore, responder: inout ICMPResponder) {
        guard let header = try? TCPHeader(checking: datagram.payload) else {
            core.counters.count(.tcpMalformed)
            return
        }
        let segment: TCPRepr
        do throws(PacketError) {
            segment = try TCPRepr(parsing: header, source: datagram.source, destination: datagram.destination)
        } catch .badChecksum {
            core.counters.count(.tcpBadChecksum)
            return
        } catch {
            core.counters.count(.tcpMalformed)
            return
        }
        core.counters.tcp.segmentsReceived &+= 1
        let payload = header.payload
        let key = FlowKey(
            proto: .tcp, localAddress: datagram.destination, localPort: segment.destinationPort,
            remoteAddress: datagram.source, remotePort: segment.sourcePort)
        var timeWaitISN: TCPSequenceNumber?
        // One lookup per segment; a TIME_WAIT that gives way to a newer SYN falls through to
        // the listener with the ISN the new connection must use.
        let connectionIndex = core.flows.find(key)
        if let index = connectionIndex, connections.table.isOpen(index) {
            timeWaitISN = connections.endTimeWait(
                index, for: segment, listening: key.listening, core: &core, listeners: &listeners)
        }
        if timeWaitISN == nil, let index = connectionIndex, connections.table.isOpen(index) {
            if completesHandshakeIntoAFullQueue(index, segment) {
                core.counters.count(.tcpAcceptQueueFull)
                return
            }
            core.glean(datagram)
            let outcome = connections.table[index: index].receive(
                segment, payload: payload, now: core.now, counters: &core.counters)
            if outcome.contains(.resetReply) {
                TCPListeners.sendReset(
                    answering: segment, payloadLength: payload.count, datagram, core: &core, responder: &responder)
            }
            connections.changed(index, outcome, core: &core, listeners: &listeners)
            return
        }
        if let index = core.flows.find(key.listening), listeners.table.isOpen(index) {
            receiveAtListener(
                index, segment, payload: payload, datagram, timeWaitISN: timeWaitISN, core: &core,
                responder: &responder)
            return
        }
        core.counters.count(.tcpNoConnection)
        TCPListeners.sendReset(
            answering: segment, payloadLength: payload.count, datagram, core: &core, responder: &responder)
    }

    /// Whether a segment would end a passive handshake while the listener's accept queue is
    /// full. Such a segment is dropped, as Linux does by default (`tcp_abort_on_overflow` 0):
    /// the connection stays SYN-RECEIVED, its SYN-ACK is retransmitted on the usual timer, and
    /// the peer's next ACK (an answer to that, or its own retransmitted data) completes the
    /// handshake once the application has accepted. Resetting instead would fail a client
    /// that merely arrived during a burst.
    @inline(__always)  // outlined, a non-mutating call copies the whole part first
    private func completesHandshakeIntoAFullQueue(_ index: Int, _ segment: TCPRepr) -> Bool {
        guard connections.table[index: index].state == .synReceived, segment.flags.contains(.ack),
            !segment.flags.contains(.rst), let handle = connections.table[index: index].listener,
            let listenerIndex = listeners.table.resolve(handle)
        else { return false }
        return listeners.table[index: listenerIndex].isSaturated
    }

    /// A segment for a listener with no connection of its four-tuple (RFC 9293 §3.10.7.2).
    /// `timeWaitISN`: the ISN a connection replacing a TIME_WAIT must use.
    private mutating func receiveAtListener(
        _ index: Int, _ segment: TCPRepr, payload: PacketBytes, _ datagram: ReceivedDatagram,
        timeWaitISN: TCPSequenceNumber?, core: inout StackCore, responder: inout ICMPResponder
    ) {
        let flags = segment.flags
        if flags.contains(.rst) { return }
        if flags.contains(.ack) {
            if !flags.contains(.syn) {
                if listeners.acceptCookie(
                    index, segment, payload: payload, datagram, connections: &connections, core: &core)
                {
                    return
                }
                // A cookie can be checked only on the segment at the client's ISN + 1. When the
                // ACK and first data of a cookie connection were lost (the flood filled the
                // ring), a later segment of it (its FIN, more data) fails the check: a reset
                // would kill a genuine connection, silence lets its retransmission from
                // ISN + 1 open it. So while cookies may be live, a failed check is only counted.
                if listeners.table[index: index].mayHaveLiveCookies(now: core.now) { return }
            }
            TCPListeners.sendReset(
                answering: segment, payloadLength: payload.count, datagram, core: &core, responder: &responder)
            return
        }
        guard flags.contains(.syn) else {
            core.counters.count(.tcpUnexpectedSegment)
            return
        }
        guard !listeners.table[index: index].isSaturated else {
            core.counters.count(.tcpAcceptQueueFull)
            return
        }
        if listeners.table[index: index].halfOpen >= core.configuration.limits.tcpSynBacklog
            || (connections.table.openCount >= connections.table.capacity
                && !connections.reclaimTimeWait(core: &core, listeners: &listeners))
        {
            listeners.sendCookie(index, segment, datagram, core: &core)
            return
        }
        let listener = listeners.table[index: index]
        let remote = IPv4Endpoint(address: datagram.source, port: segment.sourcePort)
        var block = connections.makeControlBlock(
            local: listener.local, localIndex: listener.localIndex, remote: remote, options: listener.options,
            initialSequence: timeWaitISN, core: core)
        block.state = .synReceived
        block.listener = listeners.table.handle(at: index)
        block.countedHalfOpen = true
        block.receiver.synchronize(initial: segment.sequenceNumber, next: segment.sequenceNumber + 1)
        block.negotiate(segment.options, now: core.now)
        block.sender.space.updateWindow(segment, shift: 0)
        block.sender.space.synPending = true
        guard let slot = connections.insert(block, core: &core, listeners: &listeners) else { return }
        listeners.table[index: index].halfOpen += 1
        core.counters.tcp.passiveOpens &+= 1
        core.glean(datagram)
        connections.changed(Int(slot.index), .transmit, core: &core, listeners: &listeners)
    }
}
