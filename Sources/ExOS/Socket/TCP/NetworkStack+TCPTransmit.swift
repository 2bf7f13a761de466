// TCP's side of the stack's machinery: one segment per transmit turn written straight into
// the device's frame (headers around bytes copied from the send buffer), the timers run from
// the deadline heap, and what follows any change to a connection (events, the accept queue,
// the transmit rota, its timer, its removal).

import ExoPacket

extension NetworkStack {
    /// Sends the next segment of connection `handle`, if it has one.
    mutating func transmitTCP(_ handle: SlotHandle, into buffer: MutablePacketBytes) -> Int? {
        guard let index = tcpConnections.resolve(handle) else { return nil }
        guard let plan = tcpConnections[index: index].nextSegment(now: now, counters: &counters) else {
            tcpConnections[index: index].transmitScheduled = false
            connectionChanged(index, [])
            return nil
        }
        // Its next segment, if any, waits for its next turn: one busy connection cannot
        // starve the others.
        transmitTurns.push(.tcp(handle))
        let header = plan.header
        let localIndex = tcpConnections[index: index].localIndex
        let remoteAddress = tcpConnections[index: index].remote.address
        let length = FrameBuilder.payloadOffset + header.length
        guard length <= buffer.count else {
            counters.count(.transmitBufferTooSmall)
            return nil
        }
        let frame = buffer.prefix(length)
        let payloadStart = FrameBuilder.payloadOffset + header.headerLength
        if header.payloadLength > 0 {
            _ = tcpConnections[index: index].sender.space.buffer.copy(
                from: plan.bufferOffset, into: frame.slice(payloadStart, header.payloadLength))
        }
        let local = link.addresses[localIndex]
        _ = try? header.emit(
            into: frame.dropFirst(FrameBuilder.payloadOffset), source: local.address, destination: remoteAddress)
        let resolution = route(to: remoteAddress, source: localIndex)
        let ip = IPv4Repr(
            source: local.address, destination: remoteAddress, protocol: .tcp, payloadLength: header.length,
            identification: nextIdentification())
        FrameBuilder.writeHeaders(into: frame, destination: resolution.mac ?? .zero, source: local.mac, ip: ip)
        if tcpConnections[index: index].state == .closed { connectionChanged(index, .closed) }
        guard finish(frame, resolution, origin: .tcp(handle)) else { return nil }
        counters.tcp.segmentsSent &+= 1
        return length
    }

    /// Runs the timers of every connection due by `now`.
    mutating func runTCPTimers() {
        while let (index, deadline) = tcpTimers.first, deadline <= now {
            let outcome = tcpConnections[index: index].runTimers(now: now, counters: &counters)
            connectionChanged(index, outcome)
            // A timer that stays due would spin here: every timer moves on or stops when run.
            if let next = tcpTimers.deadline(of: index), next <= now { tcpTimers.set(index, to: now + .microseconds(1)) }
        }
    }

    /// Everything that follows a change to connection `index`.
    mutating func connectionChanged(_ index: Int, _ outcome: TCPOutcome) {
        let handle = tcpConnections.handle(at: index)
        if outcome.contains(.established) { connectionEstablished(index) }
        if outcome.contains(.readable) { announceTCP(.tcpReadable(TCPHandle(slot: handle)), index) }
        if outcome.contains(.writable) { announceTCP(.tcpWritable(TCPHandle(slot: handle)), index) }
        let state = tcpConnections[index: index].state
        if outcome.contains(.closed) || state == .closed, !tcpConnections[index: index].resetPending {
            retire(index)
            return
        }
        if tcpConnections[index: index].orphaned { lingerAfterClose(index) }
        let synchronized = state.isSynchronized
        tcpConnections[index: index].sender.updatePersistTimer(synchronized: synchronized, now: now)
        let keepAlive = tcpConnections[index: index].options.keepAlive
        tcpConnections[index: index].keepAlive.update(keepAlive, open: state == .established || state == .closeWait)
        tcpTimers.set(index, to: tcpConnections[index: index].nextTimer)
        if outcome.contains(.transmit) || tcpConnections[index: index].resetPending { scheduleTransmit(.tcp(handle)) }
    }

    /// What a connection the application has closed keeps while it finishes: in FIN_WAIT_2,
    /// a deadline for the peer's FIN; in TIME_WAIT, no buffers (nothing can be sent or
    /// delivered any more, so a busy server's TIME_WAITs hold a control block each, as
    /// Linux's hold a small bucket, not 512 KiB of rings).
    private mutating func lingerAfterClose(_ index: Int) {
        switch tcpConnections[index: index].state {
        case .finWait2 where tcpConnections[index: index].orphanDeadline == nil:
            tcpConnections[index: index].orphanDeadline = now + configuration.limits.tcpOrphanFinWait2
        case .timeWait where tcpConnections[index: index].receiver.buffer.capacity > 0:
            tcpConnections[index: index].sender.space.buffer = .released
            tcpConnections[index: index].receiver.buffer = .released
        default:
            break
        }
    }

    /// A passive connection finished its handshake: it leaves the half-open count and waits
    /// in its listener's accept queue.
    private mutating func connectionEstablished(_ index: Int) {
        guard let listenerHandle = tcpConnections[index: index].listener,
            let listenerIndex = tcpListeners.resolve(listenerHandle)
        else { return }
        if tcpConnections[index: index].countedHalfOpen {
            tcpConnections[index: index].countedHalfOpen = false
            tcpListeners[index: listenerIndex].halfOpen -= 1
        }
        // A backstop: receiveTCP and acceptCookie drop a handshake's last ACK while the queue
        // is full, so this holds unless a future path forgets to; the queue is never overrun.
        guard !tcpListeners[index: listenerIndex].isSaturated else {
            counters.count(.tcpAcceptQueueFull)
            tcpConnections[index: index].resetPending = true
            tcpConnections[index: index].listener = nil
            tcpConnections[index: index].orphaned = true
            return
        }
        tcpListeners[index: listenerIndex].acceptQueue.push(tcpConnections.handle(at: index))
        guard !tcpListeners[index: listenerIndex].acceptableAnnounced else { return }
        let event = StackEvent.tcpAcceptable(TCPListenerHandle(slot: tcpListeners.handle(at: listenerIndex)))
        tcpListeners[index: listenerIndex].acceptableAnnounced = post(event)
    }

    private mutating func announceTCP(_ event: StackEvent, _ index: Int) {
        guard !tcpConnections[index: index].orphaned, tcpConnections[index: index].listener == nil else { return }
        switch event {
        case .tcpReadable:
            guard !tcpConnections[index: index].readableAnnounced else { return }
            tcpConnections[index: index].readableAnnounced = post(event)
        case .tcpWritable:
            guard !tcpConnections[index: index].writableAnnounced else { return }
            tcpConnections[index: index].writableAnnounced = post(event)
        default:
            break
        }
    }

    /// A connection reached CLOSED: its four-tuple and timer go; the block itself stays until
    /// the application closes its handle (so it can read the error), unless nobody holds one.
    mutating func retire(_ index: Int) {
        let local = tcpConnections[index: index].local
        let remote = tcpConnections[index: index].remote
        flows.remove(
            FlowKey(
                proto: .tcp, localAddress: local.address, localPort: local.port, remoteAddress: remote.address,
                remotePort: remote.port))
        tcpTimers.remove(index)
        let listener = tcpConnections[index: index].listener
        if tcpConnections[index: index].countedHalfOpen, let listener, let listenerIndex = tcpListeners.resolve(listener) {
            tcpListeners[index: listenerIndex].halfOpen -= 1
        }
        tcpConnections[index: index].countedHalfOpen = false
        if tcpConnections[index: index].orphaned || listener != nil {
            tcpConnections.remove(tcpConnections.handle(at: index))
        }
    }
}
