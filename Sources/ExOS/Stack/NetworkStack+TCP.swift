// The stack's TCP API: listening and accepting are `TCPListeners`', connections
// `TCPSockets`'; each call given a `now` moves the clock first (running the timers due).
// Questions about a connection are asked of the part: `stack.tcp.state(handle)`.

import ExoPacket

extension NetworkStack {
    /// Listens on `port` of `address` (nil: the first address that grants the port);
    /// `backlog` bounds the connections waiting for `accept`.
    public mutating func listenTCP(
        address: IPv4Address? = nil, port: UInt16, backlog: Int = 128, options: TCPConnectionOptions = .init()
    ) throws(StackError) -> TCPListenerHandle {
        try tcp.listeners.listen(address: address, port: port, backlog: backlog, options: options, core: &core)
    }

    /// The oldest established connection waiting on the listener; nil when none.
    public mutating func accept(_ listener: TCPListenerHandle) -> TCPHandle? {
        tcp.listeners.accept(listener, connections: &tcp.connections, core: &core)
    }

    /// Stops listening: connections not yet accepted are reset.
    public mutating func close(_ listener: TCPListenerHandle) {
        tcp.listeners.close(listener, connections: &tcp.connections, core: &core)
    }

    /// Opens a connection to `remote` from `port` of `address` (nil, 0: a granted address and
    /// a free port). The SYN leaves on a later `transmit`; `tcpWritable` says it opened.
    public mutating func connectTCP(
        to remote: IPv4Endpoint, from address: IPv4Address? = nil, port: UInt16 = 0,
        options: TCPConnectionOptions = .init(), now: Instant
    ) throws(StackError) -> TCPHandle {
        advance(to: now)
        return try tcp.connect(to: remote, from: address, port: port, options: options, core: &core)
    }

    /// The local endpoint a connection to `remote` would use: `address` (nil: the first
    /// address that grants `port`) and `port` (0: a free granted port).
    public mutating func chooseTCPEndpoint(address: IPv4Address?, port: UInt16, remote: IPv4Endpoint) throws(StackError)
        -> IPv4Endpoint
    {
        try tcp.chooseEndpoint(address: address, port: port, remote: remote, core: &core)
    }

    /// Copies as much of `bytes` into the send buffer as fits and returns how many; 0 means
    /// full (wait for `tcpWritable`). Throws once the connection failed or was shut down.
    public mutating func write(_ handle: TCPHandle, _ bytes: PacketBytes, now: Instant) throws(TCPError) -> Int {
        advance(to: now)
        return try tcp.write(handle, bytes, core: &core)
    }

    /// Copies received bytes into `buffer`. Throws the connection's error (a reset, a
    /// timeout) once its bytes are read.
    public mutating func read(_ handle: TCPHandle, into buffer: MutablePacketBytes, now: Instant) throws(TCPError)
        -> TCPReadResult
    {
        advance(to: now)
        return try tcp.read(handle, into: buffer, core: &core)
    }

    /// Sends a FIN after the buffered bytes (`shutdown(SHUT_WR)`); reading goes on.
    public mutating func shutdownWrite(_ handle: TCPHandle, now: Instant) throws(TCPError) {
        advance(to: now)
        try tcp.shutdownWrite(handle, core: &core)
    }

    /// Closes the handle. Unread bytes make it an abort (a reset, as Linux does); otherwise
    /// the FIN follows the buffered bytes and the close handshake finishes without the handle.
    public mutating func close(_ handle: TCPHandle, now: Instant) {
        advance(to: now)
        tcp.close(handle, core: &core)
    }

    /// Resets the connection at once and closes the handle.
    public mutating func abort(_ handle: TCPHandle, now: Instant) {
        advance(to: now)
        tcp.abort(handle, core: &core)
    }
}
