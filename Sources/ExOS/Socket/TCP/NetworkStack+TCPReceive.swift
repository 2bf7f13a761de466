// TCP's receive side in the stack: checksum and parse, demultiplexing (the connection's
// four-tuple, else a listener's endpoint), passive opens (a half-open connection, or a SYN
// cookie once the listener's backlog is full), and resets for segments nobody owns
// (RFC 9293 §3.10.7.1), rate-limited like ICMP errors.

import ExoPacket

extension NetworkStack {
    mutating func receiveTCP(_ datagram: ReceivedDatagram) {
        guard let header = try? TCPHeader(checking: datagram.payload) else {
            counters.count(.tcpMalformed)
            return
        }
        let segment: TCPRepr
        do throws(PacketError) {
            segment = try TCPRepr(parsing: header, source: datagram.source, destination: datagram.destination)
        } catch .badChecksum {
            counters.count(.tcpBadChecksum)
            return
        } catch {
            counters.count(.tcpMalformed)
            return
        }
        counters.tcp.segmentsReceived &+= 1
        let payload = header.payload
        let key = FlowKey(
            proto: .tcp, localAddress: datagram.destination, localPort: segment.destinationPort,
            remoteAddress: datagram.source, remotePort: segment.sourcePort)
        var timeWaitISN: TCPSequenceNumber?
        // One lookup per segment; a TIME_WAIT that gives way to a newer SYN falls through to
        // the listener with the ISN the new connection must use.
        let connectionIndex = flows.find(key)
        if let index = connectionIndex, tcpConnections.isOpen(index) {
            timeWaitISN = endTimeWait(index, for: segment, listening: key.listening)
        }
        if timeWaitISN == nil, let index = connectionIndex, tcpConnections.isOpen(index) {
            if completesHandshakeIntoAFullQueue(index, segment) {
                counters.count(.tcpAcceptQueueFull)
                return
            }
            glean(datagram)
            let outcome = tcpConnections[index: index].receive(segment, payload: payload, now: now, counters: &counters)
            if outcome.contains(.resetReply) { sendReset(answering: segment, payloadLength: payload.count, datagram) }
            connectionChanged(index, outcome)
            return
        }
        if let index = flows.find(key.listening), tcpListeners.isOpen(index) {
            receiveAtListener(index, segment, payload: payload, datagram, timeWaitISN: timeWaitISN)
            return
        }
        counters.count(.tcpNoConnection)
        sendReset(answering: segment, payloadLength: payload.count, datagram)
    }

    /// Whether a segment would end a passive handshake while the listener's accept queue is
    /// full. Such a segment is dropped, as Linux does by default (`tcp_abort_on_overflow` 0):
    /// the connection stays SYN-RECEIVED, its SYN-ACK is retransmitted on the usual timer, and
    /// the peer's next ACK (an answer to that, or its own retransmitted data) completes the
    /// handshake once the application has accepted. Resetting instead would fail a client
    /// that merely arrived during a burst.
    @inline(__always)  // outlined, a non-mutating call copies the whole stack first
    private func completesHandshakeIntoAFullQueue(_ index: Int, _ segment: TCPRepr) -> Bool {
        guard tcpConnections[index: index].state == .synReceived, segment.flags.contains(.ack),
            !segment.flags.contains(.rst), let handle = tcpConnections[index: index].listener,
            let listenerIndex = tcpListeners.resolve(handle)
        else { return false }
        return tcpListeners[index: listenerIndex].isSaturated
    }

    /// A segment for a listener with no connection of its four-tuple (RFC 9293 §3.10.7.2).
    /// `timeWaitISN`: the ISN a connection replacing a TIME_WAIT must use.
    private mutating func receiveAtListener(
        _ index: Int, _ segment: TCPRepr, payload: PacketBytes, _ datagram: ReceivedDatagram,
        timeWaitISN: TCPSequenceNumber?
    ) {
        let flags = segment.flags
        if flags.contains(.rst) { return }
        if flags.contains(.ack) {
            if !flags.contains(.syn) {
                if acceptCookie(index, segment, payload: payload, datagram) { return }
                // A cookie can be checked only on the segment at the client's ISN + 1. When the
                // ACK and first data of a cookie connection were lost (the flood filled the
                // ring), a later segment of it (its FIN, more data) fails the check: a reset
                // would kill a genuine connection, silence lets its retransmission from
                // ISN + 1 open it. So while cookies may be live, a failed check is only counted.
                if tcpListeners[index: index].mayHaveLiveCookies(now: now) { return }
            }
            sendReset(answering: segment, payloadLength: payload.count, datagram)
            return
        }
        guard flags.contains(.syn) else {
            counters.count(.tcpUnexpectedSegment)
            return
        }
        guard !tcpListeners[index: index].isSaturated else {
            counters.count(.tcpAcceptQueueFull)
            return
        }
        if tcpListeners[index: index].halfOpen >= configuration.limits.tcpSynBacklog
            || (tcpConnections.openCount >= tcpConnections.capacity && !reclaimTimeWait())
        {
            sendCookie(index, segment, datagram)
            return
        }
        let listener = tcpListeners[index: index]
        let remote = IPv4Endpoint(address: datagram.source, port: segment.sourcePort)
        var block = makeControlBlock(
            local: listener.local, localIndex: listener.localIndex, remote: remote, options: listener.options,
            initialSequence: timeWaitISN)
        block.state = .synReceived
        block.listener = tcpListeners.handle(at: index)
        block.countedHalfOpen = true
        block.receiver.synchronize(initial: segment.sequenceNumber, next: segment.sequenceNumber + 1)
        block.negotiate(segment.options, now: now)
        block.sender.space.updateWindow(segment, shift: 0)
        block.sender.space.synPending = true
        guard let slot = insertConnection(block) else { return }
        tcpListeners[index: index].halfOpen += 1
        counters.tcp.passiveOpens &+= 1
        glean(datagram)
        connectionChanged(Int(slot.index), .transmit)
    }

    /// A new connection's control block, with its ISN and timestamp offset drawn from the
    /// keyed hash (RFC 6528; RFC 7323 §7.1), or the ISN given (after a TIME_WAIT it replaced).
    func makeControlBlock(
        local: IPv4Endpoint, localIndex: Int, remote: IPv4Endpoint, options: TCPConnectionOptions,
        initialSequence: TCPSequenceNumber? = nil
    ) -> TCPControlBlock {
        let isn = initialSequence ?? initialSequenceNumbers.make(
            localAddress: local.address, localPort: local.port, remoteAddress: remote.address,
            remotePort: remote.port, now: now)
        let offset = initialSequenceNumbers.make(
            localAddress: remote.address, localPort: remote.port, remoteAddress: local.address,
            remotePort: local.port, now: .zero)
        return TCPControlBlock(
            local: local, localIndex: localIndex, remote: remote, options: options, initialSequence: isn,
            timestampOffset: offset.rawValue, mtu: configuration.mtu, limits: configuration.limits, now: now)
    }

    /// Puts a block in the table and its four-tuple in the flow table; nil (counted) when full.
    mutating func insertConnection(_ block: TCPControlBlock) -> SlotHandle? {
        let key = FlowKey(
            proto: .tcp, localAddress: block.local.address, localPort: block.local.port,
            remoteAddress: block.remote.address, remotePort: block.remote.port)
        guard let slot = tcpConnections.insert(block) ?? (reclaimTimeWait() ? tcpConnections.insert(block) : nil) else {
            counters.count(.tcpTableFull)
            return nil
        }
        guard flows.insert(key, value: Int(slot.index)) else {
            tcpConnections.remove(slot)
            counters.count(.tcpTableFull)
            return nil
        }
        return slot
    }

    /// Answers a segment nobody owns with a reset (RFC 9293 §3.10.7.1): never a reset for a
    /// reset, never to broadcast, never beyond the error rate limit.
    mutating func sendReset(answering segment: TCPRepr, payloadLength: Int, _ datagram: ReceivedDatagram) {
        guard !segment.flags.contains(.rst), !datagram.linkBroadcast else { return }
        guard icmpErrorLimiter.take(now: now) else {
            counters.count(.icmpErrorRateLimited)
            return
        }
        var reply = TCPRepr(
            sourcePort: segment.destinationPort, destinationPort: segment.sourcePort, sequenceNumber: TCPSequenceNumber(0),
            acknowledgementNumber: TCPSequenceNumber(0), flags: .rst, window: 0)
        if segment.flags.contains(.ack) {
            reply.sequenceNumber = segment.acknowledgementNumber
        } else {
            var length = payloadLength
            if segment.flags.contains(.syn) { length += 1 }
            if segment.flags.contains(.fin) { length += 1 }
            reply.acknowledgementNumber = segment.sequenceNumber + length
            reply.flags.insert(.ack)
        }
        if enqueueStatelessSegment(reply, datagram) { counters.tcp.resetsSent &+= 1 }
    }

    /// Queues a segment built from a received one alone (a reset, a cookie's SYN-ACK) as a
    /// ready-made frame back to its sender's MAC.
    mutating func enqueueStatelessSegment(_ segment: TCPRepr, _ datagram: ReceivedDatagram) -> Bool {
        let local = link.addresses[datagram.localIndex]
        let ip = IPv4Repr(
            source: local.address, destination: datagram.source, protocol: .tcp, payloadLength: segment.length,
            identification: nextIdentification())
        let length = FrameBuilder.payloadOffset + segment.length
        guard length <= configuration.maximumFrameLength else { return false }
        return enqueueControl(
            length: length,
            { frame in
                FrameBuilder.writeHeaders(into: frame, destination: datagram.linkSource, source: local.mac, ip: ip)
                _ = try? segment.emit(
                    into: frame.dropFirst(FrameBuilder.payloadOffset), source: local.address, destination: datagram.source)
            })
    }
}
