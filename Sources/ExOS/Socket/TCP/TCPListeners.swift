// The stack's TCP listeners: their table, their endpoints in the flow table, the accept
// queues the application drains, and the replies a listener makes without keeping state
// (resets, and SYN-ACKs carrying a cookie when its half-open bound is reached).

import ExoPacket

/// Ask it about a listener (`stack.tcp.listeners.localEndpoint(listener)`); listen, accept
/// and close through the stack.
public struct TCPListeners: Sendable {
    var table: SocketTable<TCPListenerState>
    let synCookies: SYNCookies

    init(_ configuration: StackConfiguration) {
        table = SocketTable(capacity: configuration.limits.tcpListeners, vacant: .vacant)
        synCookies = SYNCookies(secret: configuration.secret ^ 0x5359_4E43_4F4F_4B49)
    }

    /// Listens on `port` of `address` (nil: the first address that grants the port);
    /// `backlog` bounds the connections waiting for `accept`.
    mutating func listen(
        address: IPv4Address?, port: UInt16, backlog: Int, options: TCPConnectionOptions, core: inout StackCore
    ) throws(StackError) -> TCPListenerHandle {
        guard port != 0 else { throw .notGranted }
        let localIndex = try core.chooseAddress(address, proto: .tcp, port: port)
        let local = IPv4Endpoint(address: core.link.addresses[localIndex].address, port: port)
        let key = FlowKey(proto: .tcp, localAddress: local.address, localPort: port)
        guard core.flows.find(key) == nil else { throw .endpointInUse }
        let listener = TCPListenerState(local: local, localIndex: localIndex, options: options, backlog: backlog)
        guard let slot = table.insert(listener) else { throw .tooManySockets }
        guard core.flows.insert(key, value: Int(slot.index)) else {
            table.remove(slot)
            throw .tooManySockets
        }
        return TCPListenerHandle(slot: slot)
    }

    /// The endpoint a listener listens on.
    public func localEndpoint(_ listener: TCPListenerHandle) -> IPv4Endpoint? {
        table.resolve(listener.slot).map { table[index: $0].local }
    }

    /// The oldest established connection waiting on the listener; nil when none.
    mutating func accept(_ listener: TCPListenerHandle, connections: inout TCPConnections, core: inout StackCore)
        -> TCPHandle?
    {
        guard let index = table.resolve(listener.slot) else { return nil }
        while let slot = table[index: index].acceptQueue.pop() {
            // Connections reset while waiting are gone already.
            guard let connection = connections.table.resolve(slot) else { continue }
            connections.table[index: connection].listener = nil
            // Events were held back while it waited (nobody held a handle): announce now what
            // arrived meanwhile.
            if connections.table[index: connection].receiver.buffer.count > 0
                || connections.table[index: connection].receiver.finReceived
                || connections.table[index: connection].state == .closed
            {
                connections.changed(connection, .readable, core: &core, listeners: &self)
            }
            return TCPHandle(slot: slot)
        }
        return nil
    }

    /// Stops listening: connections not yet accepted are reset.
    mutating func close(_ listener: TCPListenerHandle, connections: inout TCPConnections, core: inout StackCore) {
        guard let index = table.resolve(listener.slot) else { return }
        let local = table[index: index].local
        core.flows.remove(FlowKey(proto: .tcp, localAddress: local.address, localPort: local.port))
        while let slot = table[index: index].acceptQueue.pop() {
            if let connection = connections.table.resolve(slot) {
                connections.abort(connection, core: &core, listeners: &self)
            }
        }
        for connection in 0..<connections.table.capacity where connections.table.isOpen(connection) {
            if connections.table[index: connection].listener == listener.slot {
                connections.abort(connection, core: &core, listeners: &self)
            }
        }
        table.remove(listener.slot)
    }

    /// Announces that listener `index` has a connection to accept (once until consumed).
    mutating func announceAcceptable(_ index: Int, core: inout StackCore) {
        guard !table[index: index].acceptableAnnounced else { return }
        let event = StackEvent.tcpAcceptable(TCPListenerHandle(slot: table.handle(at: index)))
        table[index: index].acceptableAnnounced = core.post(event)
    }

    /// Clears the listener's announcement; false when it has closed since.
    mutating func consume(_ handle: TCPListenerHandle) -> Bool {
        guard let index = table.resolve(handle.slot) else { return false }
        table[index: index].acceptableAnnounced = false
        return true
    }

    /// Answers a segment nobody owns with a reset (RFC 9293 §3.10.7.1): never a reset for a
    /// reset, never to broadcast, never beyond the error rate limit (ICMP's).
    static func sendReset(
        answering segment: TCPRepr, payloadLength: Int, _ datagram: ReceivedDatagram, core: inout StackCore,
        responder: inout ICMPResponder
    ) {
        guard !segment.flags.contains(.rst), !datagram.linkBroadcast else { return }
        guard responder.mayAnswerWithError(&core) else { return }
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
        if enqueueStatelessSegment(reply, datagram, core: &core) { core.counters.tcp.resetsSent &+= 1 }
    }

    /// Queues a segment built from a received one alone (a reset, a cookie's SYN-ACK) as a
    /// ready-made frame back to its sender's MAC.
    static func enqueueStatelessSegment(_ segment: TCPRepr, _ datagram: ReceivedDatagram, core: inout StackCore) -> Bool {
        let local = core.link.addresses[datagram.localIndex]
        let ip = IPv4Repr(
            source: local.address, destination: datagram.source, protocol: .tcp, payloadLength: segment.length,
            identification: core.nextIdentification())
        let length = FrameBuilder.payloadOffset + segment.length
        guard length <= core.configuration.maximumFrameLength else { return false }
        return core.enqueueControl(
            length: length,
            { frame in
                FrameBuilder.writeHeaders(into: frame, destination: datagram.linkSource, source: local.mac, ip: ip)
                _ = try? segment.emit(
                    into: frame.dropFirst(FrameBuilder.payloadOffset), source: local.address, destination: datagram.source)
            })
    }
}
