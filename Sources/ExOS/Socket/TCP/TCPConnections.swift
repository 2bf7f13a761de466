// The stack's TCP connections: their table, the deadline heap of their timers and the keyed
// hash that draws their initial sequence numbers, and what follows any change to one of
// them (events, its listener's accept queue, the transmit rota, its timer, its removal).
// One segment per transmit turn is written straight into the device's frame.

import ExoPacket

struct TCPConnections: Sendable {
    var table: SocketTable<TCPControlBlock>
    /// Each connection's next timer, earliest first.
    var timers: DeadlineHeap
    let initialSequenceNumbers: InitialSequenceNumbers

    init(_ configuration: StackConfiguration) {
        table = SocketTable(capacity: configuration.limits.tcpConnections, vacant: .vacant)
        timers = DeadlineHeap(capacity: configuration.limits.tcpConnections)
        initialSequenceNumbers = InitialSequenceNumbers(
            secret: configuration.sequenceSecret ?? configuration.secret)
    }

    /// A new connection's control block, with its ISN and timestamp offset drawn from the
    /// keyed hash (RFC 6528; RFC 7323 §7.1), or the ISN given (after a TIME_WAIT it replaced).
    func makeControlBlock(
        local: IPv4Endpoint, localIndex: Int, remote: IPv4Endpoint, options: TCPConnectionOptions,
        initialSequence: TCPSequenceNumber? = nil, core: borrowing StackCore
    ) -> TCPControlBlock {
        let isn = initialSequence ?? initialSequenceNumbers.make(
            localAddress: local.address, localPort: local.port, remoteAddress: remote.address,
            remotePort: remote.port, now: core.now)
        let offset = initialSequenceNumbers.make(
            localAddress: remote.address, localPort: remote.port, remoteAddress: local.address,
            remotePort: local.port, now: .zero)
        return TCPControlBlock(
            local: local, localIndex: localIndex, remote: remote, options: options, initialSequence: isn,
            timestampOffset: offset.rawValue, mtu: core.configuration.mtu, limits: core.configuration.limits,
            now: core.now)
    }

    /// Puts a block in the table and its four-tuple in the flow table; nil (counted) when full.
    mutating func insert(_ block: TCPControlBlock, core: inout StackCore, listeners: inout TCPListeners)
        -> SlotHandle?
    {
        let key = FlowKey(
            proto: .tcp, localAddress: block.local.address, localPort: block.local.port,
            remoteAddress: block.remote.address, remotePort: block.remote.port)
        guard
            let slot = table.insert(block)
                ?? (reclaimTimeWait(core: &core, listeners: &listeners) ? table.insert(block) : nil)
        else {
            core.counters.count(.tcpTableFull)
            return nil
        }
        guard core.flows.insert(key, value: Int(slot.index)) else {
            table.remove(slot)
            core.counters.count(.tcpTableFull)
            return nil
        }
        return slot
    }

    /// Sends the next segment of connection `handle`, if it has one.
    mutating func transmit(
        _ handle: SlotHandle, into buffer: MutablePacketBytes, core: inout StackCore, listeners: inout TCPListeners
    ) -> Int? {
        guard let index = table.resolve(handle) else { return nil }
        guard let plan = table[index: index].nextSegment(now: core.now, counters: &core.counters) else {
            table[index: index].transmitScheduled = false
            changed(index, [], core: &core, listeners: &listeners)
            return nil
        }
        // Its next segment, if any, waits for its next turn: one busy connection cannot
        // starve the others.
        core.schedule(.tcp(handle))
        let header = plan.header
        let localIndex = table[index: index].localIndex
        let remoteAddress = table[index: index].remote.address
        let length = FrameBuilder.payloadOffset + header.length
        guard length <= buffer.count else {
            core.counters.count(.transmitBufferTooSmall)
            return nil
        }
        let frame = buffer.prefix(length)
        let payloadStart = FrameBuilder.payloadOffset + header.headerLength
        if header.payloadLength > 0 {
            _ = table[index: index].sender.space.buffer.copy(
                from: plan.bufferOffset, into: frame.slice(payloadStart, header.payloadLength))
        }
        let local = core.link.addresses[localIndex]
        _ = try? header.emit(
            into: frame.dropFirst(FrameBuilder.payloadOffset), source: local.address, destination: remoteAddress)
        let resolution = core.route(to: remoteAddress, source: localIndex)
        let ip = IPv4Repr(
            source: local.address, destination: remoteAddress, protocol: .tcp, payloadLength: header.length,
            identification: core.nextIdentification())
        FrameBuilder.writeHeaders(into: frame, destination: resolution.mac ?? .zero, source: local.mac, ip: ip)
        if table[index: index].state == .closed { changed(index, .closed, core: &core, listeners: &listeners) }
        guard core.finish(frame, resolution, origin: .tcp(handle)) else { return nil }
        core.counters.tcp.segmentsSent &+= 1
        return length
    }

    /// Runs the timers of every connection due by `now`.
    mutating func runTimers(core: inout StackCore, listeners: inout TCPListeners) {
        while let (index, deadline) = timers.first, deadline <= core.now {
            let outcome = table[index: index].runTimers(now: core.now, counters: &core.counters)
            changed(index, outcome, core: &core, listeners: &listeners)
            // A timer that stays due would spin here: every timer moves on or stops when run.
            if let next = timers.deadline(of: index), next <= core.now {
                timers.set(index, to: core.now + .microseconds(1))
            }
        }
    }

    /// Everything that follows a change to connection `index`.
    mutating func changed(_ index: Int, _ outcome: TCPOutcome, core: inout StackCore, listeners: inout TCPListeners) {
        let handle = table.handle(at: index)
        if outcome.contains(.established) { established(index, core: &core, listeners: &listeners) }
        if outcome.contains(.readable) { announce(.tcpReadable(TCPHandle(slot: handle)), index, core: &core) }
        if outcome.contains(.writable) { announce(.tcpWritable(TCPHandle(slot: handle)), index, core: &core) }
        let state = table[index: index].state
        if outcome.contains(.closed) || state == .closed, !table[index: index].resetPending {
            retire(index, core: &core, listeners: &listeners)
            return
        }
        if table[index: index].orphaned { lingerAfterClose(index, core: core) }
        let synchronized = state.isSynchronized
        table[index: index].sender.updatePersistTimer(synchronized: synchronized, now: core.now)
        let keepAlive = table[index: index].options.keepAlive
        table[index: index].keepAlive.update(keepAlive, open: state == .established || state == .closeWait)
        timers.set(index, to: table[index: index].nextTimer)
        if outcome.contains(.transmit) || table[index: index].resetPending, !table[index: index].transmitScheduled {
            table[index: index].transmitScheduled = true
            core.schedule(.tcp(handle))
        }
    }

    /// Resets connection `index` at once; nobody holds its handle any more.
    mutating func abort(_ index: Int, core: inout StackCore, listeners: inout TCPListeners) {
        table[index: index].orphaned = true
        let outcome = table[index: index].abort()
        changed(index, outcome, core: &core, listeners: &listeners)
    }

    /// What a connection the application has closed keeps while it finishes: in FIN_WAIT_2,
    /// a deadline for the peer's FIN; in TIME_WAIT, no buffers (nothing can be sent or
    /// delivered any more, so a busy server's TIME_WAITs hold a control block each, as
    /// Linux's hold a small bucket, not 512 KiB of rings).
    private mutating func lingerAfterClose(_ index: Int, core: borrowing StackCore) {
        switch table[index: index].state {
        case .finWait2 where table[index: index].orphanDeadline == nil:
            table[index: index].orphanDeadline = core.now + core.configuration.limits.tcpOrphanFinWait2
        case .timeWait where table[index: index].receiver.buffer.capacity > 0:
            table[index: index].sender.space.buffer = .released
            table[index: index].receiver.buffer = .released
        default:
            break
        }
    }

    /// A passive connection finished its handshake: it leaves the half-open count and waits
    /// in its listener's accept queue.
    private mutating func established(_ index: Int, core: inout StackCore, listeners: inout TCPListeners) {
        guard let listenerHandle = table[index: index].listener,
            let listenerIndex = listeners.table.resolve(listenerHandle)
        else { return }
        if table[index: index].countedHalfOpen {
            table[index: index].countedHalfOpen = false
            listeners.table[index: listenerIndex].halfOpen -= 1
        }
        // A backstop: the receive path and the cookie check drop a handshake's last ACK while
        // the queue is full, so this holds unless a future path forgets to; the queue is never
        // overrun.
        guard !listeners.table[index: listenerIndex].isSaturated else {
            core.counters.count(.tcpAcceptQueueFull)
            table[index: index].resetPending = true
            table[index: index].listener = nil
            table[index: index].orphaned = true
            return
        }
        listeners.table[index: listenerIndex].acceptQueue.push(table.handle(at: index))
        listeners.announceAcceptable(listenerIndex, core: &core)
    }

    private mutating func announce(_ event: StackEvent, _ index: Int, core: inout StackCore) {
        guard !table[index: index].orphaned, table[index: index].listener == nil else { return }
        switch event {
        case .tcpReadable:
            guard !table[index: index].readableAnnounced else { return }
            table[index: index].readableAnnounced = core.post(event)
        case .tcpWritable:
            guard !table[index: index].writableAnnounced else { return }
            table[index: index].writableAnnounced = core.post(event)
        default:
            break
        }
    }

    /// Clears the announcement an event made; false when its connection has gone since.
    mutating func consume(_ handle: TCPHandle, writable: Bool) -> Bool {
        guard let index = table.resolve(handle.slot) else { return false }
        if writable { table[index: index].writableAnnounced = false } else { table[index: index].readableAnnounced = false }
        return true
    }

    /// A connection reached CLOSED: its four-tuple and timer go; the block itself stays until
    /// the application closes its handle (so it can read the error), unless nobody holds one.
    mutating func retire(_ index: Int, core: inout StackCore, listeners: inout TCPListeners) {
        let local = table[index: index].local
        let remote = table[index: index].remote
        core.flows.remove(
            FlowKey(
                proto: .tcp, localAddress: local.address, localPort: local.port, remoteAddress: remote.address,
                remotePort: remote.port))
        timers.remove(index)
        let listener = table[index: index].listener
        if table[index: index].countedHalfOpen, let listener, let listenerIndex = listeners.table.resolve(listener) {
            listeners.table[index: listenerIndex].halfOpen -= 1
        }
        table[index: index].countedHalfOpen = false
        if table[index: index].orphaned || listener != nil {
            let handle = table.handle(at: index)
            if table[index: index].transmitScheduled { core.cancel(.tcp(handle)) }
            table.remove(handle)
        }
    }
}
