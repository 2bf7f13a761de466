// The stack's socket API: each call moves the clock when it is given one (running the
// timers due) and hands over to the part that owns the socket (`UDPSockets`, `Pingers`).
// Questions about a socket are asked of the part: `stack.udp.localEndpoint(handle)`.

import ExoPacket

extension NetworkStack {
    /// Opens a UDP socket on `port` of `address` (nil: the first address that grants the
    /// port; port 0: a free granted port). Throws when the endpoint is not granted, taken,
    /// or the socket table is full.
    public mutating func openUDP(address: IPv4Address? = nil, port: UInt16) throws(StackError) -> UDPHandle {
        try udp.open(address: address, port: port, core: &core)
    }

    /// Sets (or, with nil, clears) the socket's peer: `send` without a destination goes to
    /// it, and only datagrams from it are received.
    public mutating func connect(_ handle: UDPHandle, to peer: UDPEndpoint?) throws(StackError) {
        try udp.connect(handle, to: peer)
    }

    /// Closes the socket: queued datagrams in both directions are discarded.
    public mutating func close(_ handle: UDPHandle) { udp.close(handle, core: &core) }

    /// Queues a datagram of `length` payload bytes, written by `fill`, for `destination`
    /// (nil: the connected peer). It leaves on a later `transmit`.
    public mutating func send(
        _ handle: UDPHandle, length: Int, to destination: UDPEndpoint? = nil, now: Instant,
        fill: (MutablePacketBytes) -> Void
    ) throws(SendError) {
        advance(to: now)
        try udp.send(handle, length: length, to: destination, core: &core, fill: fill)
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
        try send(handle, length: payload.count, to: destination, now: now) { buffer in
            payload.withUnsafeBytes { buffer.copy(PacketBytes(unsafeBuffer: $0), to: 0) }
        }
    }

    /// Takes the oldest datagram, copying as much as fits into `buffer` (the rest is lost,
    /// as with `recvfrom`); nil when none is queued.
    public mutating func receive(_ handle: UDPHandle, into buffer: MutablePacketBytes) -> ReceivedDatagramInfo? {
        udp.receive(handle, into: buffer)
    }

    /// Lends the oldest datagram and its source to `body`, then removes it (no copy).
    public mutating func withNextDatagram<Result>(
        _ handle: UDPHandle, _ body: (PacketBytes, _ from: ReceivedFromInfo) -> Result
    ) -> Result? { udp.withNextDatagram(handle, body) }

    /// Takes the oldest datagram as an array (allocates: for tools and tests).
    public mutating func receive(_ handle: UDPHandle) -> (payload: [UInt8], source: UDPEndpoint)? {
        udp.withNextDatagram(handle) { payload, from in (payload.array, from.source) }
    }

    /// Takes the error the network reported for the socket's flow, if any (like SO_ERROR).
    public mutating func takeError(_ handle: UDPHandle) -> SocketError? { udp.takeError(handle) }

    /// Opens a pinger sending echo requests with `identifier` from `address` (nil: the
    /// first address on which the identifier is granted).
    public mutating func openPinger(address: IPv4Address? = nil, identifier: UInt16) throws(StackError) -> PingerHandle
    {
        try pingers.open(address: address, identifier: identifier, core: &core)
    }

    /// Closes the pinger: its queued requests and unread events are discarded. A stale
    /// handle (already closed) is ignored.
    public mutating func close(_ handle: PingerHandle) { pingers.close(handle, core: &core) }

    /// Queues an echo request to `destination` with `sequence` and `dataLength` bytes of
    /// data (a counting pattern). Its send time is recorded when it leaves.
    public mutating func ping(
        _ handle: PingerHandle, to destination: IPv4Address, sequence: UInt16, dataLength: Int = 56, now: Instant
    ) throws(SendError) {
        advance(to: now)
        try pingers.ping(handle, to: destination, sequence: sequence, dataLength: dataLength, core: &core)
    }

    /// The oldest reply, error or failure for the pinger; nil when none is waiting.
    public mutating func nextPingEvent(_ handle: PingerHandle) -> PingEvent? { pingers.nextEvent(handle) }
}
