// UDP as the application sees it: open on a granted endpoint, connect, send (queued, sized
// against the MTU, never fragmented), receive, take errors, close. The stack checks grants
// itself; the daemon's `bind` stays the authority, and a driver calls it for every endpoint
// it opens here. `NetworkStack` forwards its public UDP calls here.

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

/// Where a received datagram came from and went to.
public struct ReceivedFromInfo: Hashable, Sendable {
    /// Who sent it.
    public var source: UDPEndpoint
    /// The local address it was sent to.
    public var destination: IPv4Address
}

/// The stack's UDP sockets: their table, their endpoints in the flow table, their readiness.
/// Ask it about a socket (`stack.udp.localEndpoint(handle)`); change sockets through the stack.
public struct UDPSockets: Sendable {
    var table: SocketTable<UDPSocketState>

    init(_ limits: StackLimits) {
        table = SocketTable(capacity: limits.udpSockets, vacant: .vacant)
    }

    /// Opens a socket on `port` of `address` (nil: the first address that grants the port).
    /// Port 0 takes a free granted port.
    mutating func open(address: IPv4Address?, port: UInt16, core: inout StackCore) throws(StackError) -> UDPHandle {
        let localIndex = try core.chooseAddress(address, proto: .udp, port: port)
        let local = core.link.addresses[localIndex]
        let chosenPort = port != 0 ? port : try core.freePort(.udp, local)
        let key = FlowKey(proto: .udp, localAddress: local.address, localPort: chosenPort)
        guard core.flows.find(key) == nil else { throw .endpointInUse }
        let endpoint = UDPEndpoint(address: local.address, port: chosenPort)
        guard
            let slot = table.insert(
                UDPSocketState(local: endpoint, localIndex: localIndex, limits: core.configuration.limits))
        else { throw .tooManySockets }
        guard core.flows.insert(key, value: Int(slot.index)) else {
            table.remove(slot)
            throw .tooManySockets
        }
        return UDPHandle(slot: slot)
    }

    /// The endpoint a socket is bound to.
    public func localEndpoint(_ handle: UDPHandle) -> UDPEndpoint? {
        table.resolve(handle.slot).map { table[index: $0].local }
    }

    mutating func connect(_ handle: UDPHandle, to peer: UDPEndpoint?) throws(StackError) {
        guard let index = table.resolve(handle.slot) else { throw .staleHandle }
        table[index: index].remote = peer
    }

    /// Closes the socket: queued datagrams in both directions are discarded.
    mutating func close(_ handle: UDPHandle, core: inout StackCore) {
        guard let index = table.resolve(handle.slot) else { return }
        let local = table[index: index].local
        core.flows.remove(FlowKey(proto: .udp, localAddress: local.address, localPort: local.port))
        if table[index: index].transmitScheduled { core.cancel(.udp(handle.slot)) }
        table.remove(handle.slot)
    }

    /// Queues a datagram of `length` payload bytes, written by `fill`, for `destination`
    /// (nil: the connected peer).
    mutating func send(
        _ handle: UDPHandle, length: Int, to destination: UDPEndpoint?, core: inout StackCore,
        fill: (MutablePacketBytes) -> Void
    ) throws(SendError) {
        guard let index = table.resolve(handle.slot) else { throw .staleHandle }
        let maximum = core.configuration.maximumUDPPayload
        guard length >= 0, length <= maximum else { throw .datagramTooLarge(maximum: maximum) }
        guard let peer = destination ?? table[index: index].remote else { throw .notConnected }
        guard peer.port != 0, core.link.nextHop(to: peer.address) != nil else { throw .unroutable(peer.address) }
        guard table[index: index].transmitQueue.enqueue(length: length, metadata: peer, fill: fill) else {
            table[index: index].wantsWritable = true
            throw .queueFull
        }
        guard !table[index: index].transmitScheduled else { return }
        table[index: index].transmitScheduled = true
        core.schedule(.udp(handle.slot))
    }

    /// Lends the oldest datagram and its source to `body`, then removes it (no copy).
    mutating func withNextDatagram<Result>(
        _ handle: UDPHandle, _ body: (PacketBytes, _ from: ReceivedFromInfo) -> Result
    ) -> Result? {
        guard let index = table.resolve(handle.slot) else { return nil }
        let result = table[index: index].receiveQueue.withFront { from, payload in
            body(payload, ReceivedFromInfo(source: from.source, destination: from.destination))
        }
        if result != nil { table[index: index].receiveQueue.removeFront() }
        return result
    }

    /// Takes the oldest datagram, copying as much as fits into `buffer` (the rest is lost,
    /// as with `recvfrom`).
    mutating func receive(_ handle: UDPHandle, into buffer: MutablePacketBytes) -> ReceivedDatagramInfo? {
        withNextDatagram(handle) { payload, from in
            let copied = min(payload.count, buffer.count)
            buffer.copy(payload.prefix(copied), to: 0)
            return ReceivedDatagramInfo(
                length: payload.count, copied: copied, source: from.source, destination: from.destination)
        }
    }

    /// True when a datagram is queued.
    public func hasDatagram(_ handle: UDPHandle) -> Bool {
        table.resolve(handle.slot).map { !table[index: $0].receiveQueue.isEmpty } ?? false
    }

    mutating func takeError(_ handle: UDPHandle) -> SocketError? {
        guard let index = table.resolve(handle.slot) else { return nil }
        defer { table[index: index].error = nil }
        return table[index: index].error
    }

    /// Clears the announcement `event` made; false when its socket has closed since.
    mutating func consume(_ handle: UDPHandle, writable: Bool) -> Bool {
        guard let index = table.resolve(handle.slot) else { return false }
        if writable { table[index: index].writableAnnounced = false } else { table[index: index].readableAnnounced = false }
        return true
    }

    /// Announces that socket `index` has something to read (once until consumed).
    mutating func announceReadable(_ index: Int, core: inout StackCore) {
        guard !table[index: index].readableAnnounced else { return }
        table[index: index].readableAnnounced = core.post(.udpReadable(UDPHandle(slot: table.handle(at: index))))
    }

    mutating func announceWritable(_ index: Int, core: inout StackCore) {
        guard table[index: index].wantsWritable, !table[index: index].writableAnnounced else { return }
        table[index: index].wantsWritable = false
        table[index: index].writableAnnounced = core.post(.udpWritable(UDPHandle(slot: table.handle(at: index))))
    }

    /// ARP gave up on the neighbor of one of the socket's datagrams: it is the socket's error.
    mutating func neighborUnreachable(_ handle: SlotHandle, _ address: IPv4Address, core: inout StackCore) {
        guard let socket = table.resolve(handle) else { return }
        table[index: socket].error = .hostUnreachable(address)
        announceReadable(socket, core: &core)
    }
}
