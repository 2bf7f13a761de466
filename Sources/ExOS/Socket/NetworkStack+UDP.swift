// UDP as the application sees it through the stack: open on a granted endpoint, connect,
// send (queued, sized against the MTU, never fragmented), receive, take errors, close.
// The stack checks grants itself; the daemon's `bind` stays the authority, and a driver
// calls it for every endpoint it opens here.

import ExoPacket

/// A datagram taken from a socket.
public struct ReceivedDatagramInfo: Hashable, Sendable {
    /// Payload bytes (all of them, even when the buffer was shorter).
    public var length: Int
    /// Bytes copied into the caller's buffer.
    public var copied: Int
    /// Who sent it.
    public var source: UDPEndpoint
    /// The local address it was sent to.
    public var destination: IPv4Address
}

extension NetworkStack {
    /// Opens a UDP socket on `port` of `address` (nil: the first address that grants the
    /// port). Port 0 takes a free granted port. Throws when the endpoint is not granted,
    /// taken, or the socket table is full.
    public mutating func openUDP(address: IPv4Address? = nil, port: UInt16) throws(StackError) -> UDPHandle {
        let localIndex = try chooseAddress(address, proto: .udp, port: port)
        let local = link.addresses[localIndex]
        let chosenPort = port != 0 ? port : try freePort(.udp, local)
        let key = FlowKey(proto: .udp, localAddress: local.address, localPort: chosenPort)
        guard flows.find(key) == nil else { throw .endpointInUse }
        let endpoint = UDPEndpoint(address: local.address, port: chosenPort)
        guard
            let slot = udpSockets.insert(
                UDPSocketState(local: endpoint, localIndex: localIndex, limits: configuration.limits))
        else { throw .tooManySockets }
        guard flows.insert(key, value: Int(slot.index)) else {
            udpSockets.remove(slot)
            throw .tooManySockets
        }
        return UDPHandle(slot: slot)
    }

    /// The endpoint a socket is bound to.
    public func localEndpoint(_ handle: UDPHandle) -> UDPEndpoint? {
        udpSockets.resolve(handle.slot).map { udpSockets[index: $0].local }
    }

    /// Sets (or, with nil, clears) the socket's peer: `send` without a destination goes to
    /// it, and only datagrams from it are received.
    public mutating func connect(_ handle: UDPHandle, to peer: UDPEndpoint?) throws(StackError) {
        guard let index = udpSockets.resolve(handle.slot) else { throw .staleHandle }
        udpSockets[index: index].remote = peer
    }

    /// Closes the socket: queued datagrams in both directions are discarded.
    public mutating func close(_ handle: UDPHandle) {
        guard let index = udpSockets.resolve(handle.slot) else { return }
        let local = udpSockets[index: index].local
        flows.remove(FlowKey(proto: .udp, localAddress: local.address, localPort: local.port))
        udpSockets.remove(handle.slot)
    }

    /// Queues a datagram of `length` payload bytes, written by `fill`, for `destination`
    /// (nil: the connected peer). It leaves on a later `transmit`.
    public mutating func send(
        _ handle: UDPHandle, length: Int, to destination: UDPEndpoint? = nil, now: Instant,
        fill: (MutablePacketBytes) -> Void
    ) throws(SendError) {
        advance(to: now)
        guard let index = udpSockets.resolve(handle.slot) else { throw .staleHandle }
        guard length >= 0, length <= maximumUDPPayload else { throw .datagramTooLarge(maximum: maximumUDPPayload) }
        guard let peer = destination ?? udpSockets[index: index].remote else { throw .notConnected }
        guard peer.port != 0, link.nextHop(to: peer.address) != nil else { throw .unroutable(peer.address) }
        guard udpSockets[index: index].transmitQueue.enqueue(length: length, metadata: peer, fill: fill) else {
            udpSockets[index: index].wantsWritable = true
            throw .queueFull
        }
        scheduleTransmit(.udp(handle.slot))
    }

    /// Queues a copy of `payload` for `destination` (nil: the connected peer).
    public mutating func send(
        _ handle: UDPHandle, _ payload: PacketBytes, to destination: UDPEndpoint? = nil, now: Instant
    ) throws(SendError) {
        try send(handle, length: payload.count, to: destination, now: now) { $0.copy(payload, to: 0) }
    }

    /// Queues a copy of `payload` (convenience for arrays).
    public mutating func send(
        _ handle: UDPHandle, _ payload: [UInt8], to destination: UDPEndpoint? = nil, now: Instant
    ) throws(SendError) {
        let result = payload.withUnsafeBytes { buffer -> Result<Void, SendError> in
            do throws(SendError) {
                try send(handle, PacketBytes(unsafeBuffer: buffer), to: destination, now: now)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    /// Takes the oldest datagram, copying as much as fits into `buffer` (the rest is lost,
    /// as with `recvfrom`); nil when none is queued.
    public mutating func receive(_ handle: UDPHandle, into buffer: MutablePacketBytes) -> ReceivedDatagramInfo? {
        withNextDatagram(handle) { payload, from in
            let copied = min(payload.count, buffer.count)
            buffer.copy(payload.prefix(copied), to: 0)
            return ReceivedDatagramInfo(
                length: payload.count, copied: copied, source: from.source, destination: from.destination)
        }
    }

    /// Lends the oldest datagram and its source to `body`, then removes it (no copy).
    public mutating func withNextDatagram<Result>(
        _ handle: UDPHandle, _ body: (PacketBytes, _ from: ReceivedFromInfo) -> Result
    ) -> Result? {
        guard let index = udpSockets.resolve(handle.slot) else { return nil }
        let result = udpSockets[index: index].receiveQueue.withFront { from, payload in
            body(payload, ReceivedFromInfo(source: from.source, destination: from.destination))
        }
        if result != nil { udpSockets[index: index].receiveQueue.removeFront() }
        return result
    }

    /// Takes the oldest datagram as an array (allocates: for tools and tests).
    public mutating func receive(_ handle: UDPHandle) -> (payload: [UInt8], source: UDPEndpoint)? {
        withNextDatagram(handle) { payload, from in (payload.array, from.source) }
    }

    /// True when a datagram is queued.
    public func hasDatagram(_ handle: UDPHandle) -> Bool {
        udpSockets.resolve(handle.slot).map { !udpSockets[index: $0].receiveQueue.isEmpty } ?? false
    }

    /// Takes the error the network reported for the socket's flow, if any (like SO_ERROR).
    public mutating func takeError(_ handle: UDPHandle) -> SocketError? {
        guard let index = udpSockets.resolve(handle.slot) else { return nil }
        defer { udpSockets[index: index].error = nil }
        return udpSockets[index: index].error
    }

    /// The index of the local address for a socket: `address` if given (and the stack's),
    /// else the first address on which `port` is granted.
    func chooseAddress(_ address: IPv4Address?, proto: IPProtocol, port: UInt16) throws(StackError) -> Int {
        if let address {
            guard let index = link.index(of: address) else { throw .notLocalAddress(address) }
            guard port == 0 || grants.permits(proto, link.addresses[index], port: port) else { throw .notGranted }
            return index
        }
        for index in link.addresses.indices where port == 0 || grants.permits(proto, link.addresses[index], port: port)
        {
            if port != 0 || !grants.candidateRanges(proto, link.addresses[index]).isEmpty { return index }
        }
        throw .notGranted
    }

    /// A granted port on `local` that no socket of `proto` holds, searched from a cursor
    /// that moves on (so ports are not reused at once).
    mutating func freePort(_ proto: IPProtocol, _ local: LocalAddress) throws(StackError) -> UInt16 {
        for range in grants.candidateRanges(proto, local) {
            let size = Int(range.upperBound) - Int(range.lowerBound) + 1
            for step in 0..<size {
                let port = UInt16(Int(range.lowerBound) + (Int(portCursor) + step) % size)
                if flows.find(FlowKey(proto: proto, localAddress: local.address, localPort: port)) == nil {
                    portCursor &+= UInt16(truncatingIfNeeded: step + 1)
                    return port
                }
            }
        }
        throw .noFreePort
    }

    /// Puts a socket with a newly queued datagram on the transmit rota (once).
    mutating func scheduleTransmit(_ turn: TransmitTurn) {
        switch turn {
        case .udp(let handle):
            guard let index = udpSockets.resolve(handle), !udpSockets[index: index].transmitScheduled else { return }
            udpSockets[index: index].transmitScheduled = true
        case .pinger(let handle):
            guard let index = pingers.resolve(handle), !pingers[index: index].transmitScheduled else { return }
            pingers[index: index].transmitScheduled = true
        case .tcp(let handle):
            guard let index = tcpConnections.resolve(handle), !tcpConnections[index: index].transmitScheduled else {
                return
            }
            tcpConnections[index: index].transmitScheduled = true
        }
        if transmitTurns.count == transmitTurns.capacity { dropStaleTurns() }
        transmitTurns.push(turn)
    }

    /// Removes the turns of closed sockets. Each open socket has at most one turn, so
    /// afterwards there is room for the socket asking.
    private mutating func dropStaleTurns() {
        for _ in 0..<transmitTurns.count {
            guard let turn = transmitTurns.pop() else { break }
            switch turn {
            case .udp(let handle) where udpSockets.contains(handle): transmitTurns.push(turn)
            case .pinger(let handle) where pingers.contains(handle): transmitTurns.push(turn)
            case .tcp(let handle) where tcpConnections.contains(handle): transmitTurns.push(turn)
            default: break
            }
        }
    }
}

/// Where a received datagram came from and went to.
public struct ReceivedFromInfo: Hashable, Sendable {
    /// Who sent it.
    public var source: UDPEndpoint
    /// The local address it was sent to.
    public var destination: IPv4Address
}
