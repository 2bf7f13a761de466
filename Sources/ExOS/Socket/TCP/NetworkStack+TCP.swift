// TCP as the application sees it through the stack: listen and accept, connect, write into
// the send buffer (as much as fits), read from the receive buffer, shut down the sending
// side, close (gracefully: the close handshake goes on after the handle is gone) or abort.

import ExoPacket

/// What a read found.
public enum TCPReadResult: Hashable, Sendable {
    /// This many bytes were copied (at least one).
    case bytes(Int)
    /// Nothing yet: wait for `tcpReadable`.
    case wouldBlock
    /// The peer closed its side and every byte has been read.
    case endOfStream
}

/// A snapshot of a connection, for tools and tests.
public struct TCPConnectionInfo: Hashable, Sendable {
    public var state: TCPState
    public var local: IPv4Endpoint
    public var remote: IPv4Endpoint
    public var maximumSegmentSize: Int
    public var congestionWindow: Int
    public var slowStartThreshold: Int
    public var smoothedRTT: Interval?
    public var retransmissionTimeout: Interval
    public var bytesInFlight: Int
    public var sendBuffered: Int
    public var receiveBuffered: Int
    public var windowScaling: Bool
    public var timestamps: Bool
    public var sack: Bool
}

extension NetworkStack {
    /// Listens on `port` of `address` (nil: the first address that grants the port);
    /// `backlog` bounds the connections waiting for `accept`.
    public mutating func listenTCP(
        address: IPv4Address? = nil, port: UInt16, backlog: Int = 128, options: TCPConnectionOptions = .init()
    ) throws(StackError) -> TCPListenerHandle {
        guard port != 0 else { throw .notGranted }
        let localIndex = try chooseAddress(address, proto: .tcp, port: port)
        let local = IPv4Endpoint(address: link.addresses[localIndex].address, port: port)
        let key = FlowKey(proto: .tcp, localAddress: local.address, localPort: port)
        guard flows.find(key) == nil else { throw .endpointInUse }
        let listener = TCPListenerState(local: local, localIndex: localIndex, options: options, backlog: backlog)
        guard let slot = tcpListeners.insert(listener) else { throw .tooManySockets }
        guard flows.insert(key, value: Int(slot.index)) else {
            tcpListeners.remove(slot)
            throw .tooManySockets
        }
        return TCPListenerHandle(slot: slot)
    }

    /// The endpoint a listener listens on.
    public func localEndpoint(_ listener: TCPListenerHandle) -> IPv4Endpoint? {
        tcpListeners.resolve(listener.slot).map { tcpListeners[index: $0].local }
    }

    /// The oldest established connection waiting on the listener; nil when none.
    public mutating func accept(_ listener: TCPListenerHandle) -> TCPHandle? {
        guard let index = tcpListeners.resolve(listener.slot) else { return nil }
        while let slot = tcpListeners[index: index].acceptQueue.pop() {
            // Connections reset while waiting are gone already.
            guard let connection = tcpConnections.resolve(slot) else { continue }
            tcpConnections[index: connection].listener = nil
            // Events were held back while it waited (nobody held a handle): announce now what
            // arrived meanwhile.
            if tcpConnections[index: connection].receiver.buffer.count > 0 || tcpConnections[index: connection].receiver.finReceived
                || tcpConnections[index: connection].state == .closed
            {
                connectionChanged(connection, .readable)
            }
            return TCPHandle(slot: slot)
        }
        return nil
    }

    /// Stops listening: connections not yet accepted are reset.
    public mutating func close(_ listener: TCPListenerHandle) {
        guard let index = tcpListeners.resolve(listener.slot) else { return }
        let local = tcpListeners[index: index].local
        flows.remove(FlowKey(proto: .tcp, localAddress: local.address, localPort: local.port))
        while let slot = tcpListeners[index: index].acceptQueue.pop() {
            if let connection = tcpConnections.resolve(slot) { abortConnection(connection) }
        }
        for connection in 0..<tcpConnections.capacity where tcpConnections.isOpen(connection) {
            if tcpConnections[index: connection].listener == listener.slot { abortConnection(connection) }
        }
        tcpListeners.remove(listener.slot)
    }

    /// Opens a connection to `remote` from `port` of `address` (nil, 0: a granted address and
    /// a free port). The SYN leaves on a later `transmit`; `tcpWritable` says it opened.
    public mutating func connectTCP(
        to remote: IPv4Endpoint, from address: IPv4Address? = nil, port: UInt16 = 0,
        options: TCPConnectionOptions = .init(), now: Instant
    ) throws(StackError) -> TCPHandle {
        advance(to: now)
        guard remote.port != 0, link.nextHop(to: remote.address) != nil else { throw .unroutable(remote.address) }
        let localIndex = try chooseAddress(address, proto: .tcp, port: port)
        let localAddress = link.addresses[localIndex]
        let chosenPort = port != 0 ? port : try freeTCPPort(localAddress, remote: remote)
        let local = IPv4Endpoint(address: localAddress.address, port: chosenPort)
        let key = FlowKey(
            proto: .tcp, localAddress: local.address, localPort: chosenPort, remoteAddress: remote.address,
            remotePort: remote.port)
        guard flows.find(key) == nil else { throw .endpointInUse }
        var block = makeControlBlock(local: local, localIndex: localIndex, remote: remote, options: options)
        block.state = .synSent
        block.sender.space.synPending = true
        guard let slot = insertConnection(block) else { throw .tooManySockets }
        counters.tcp.activeOpens &+= 1
        connectionChanged(Int(slot.index), .transmit)
        return TCPHandle(slot: slot)
    }

    /// The local endpoint a connection to `remote` would use: `address` (nil: the first
    /// address that grants `port`) and `port` (0: a free granted port).
    public mutating func chooseTCPEndpoint(address: IPv4Address?, port: UInt16, remote: IPv4Endpoint) throws(StackError)
        -> IPv4Endpoint
    {
        let localIndex = try chooseAddress(address, proto: .tcp, port: port)
        let localAddress = link.addresses[localIndex]
        let chosenPort = port != 0 ? port : try freeTCPPort(localAddress, remote: remote)
        return IPv4Endpoint(address: localAddress.address, port: chosenPort)
    }

    /// A granted port on `local` whose four-tuple toward `remote` is free and that no
    /// listener holds, searched from the moving cursor.
    private mutating func freeTCPPort(_ local: LocalAddress, remote: IPv4Endpoint) throws(StackError) -> UInt16 {
        for range in grants.candidateRanges(.tcp, local) {
            let size = Int(range.upperBound) - Int(range.lowerBound) + 1
            for step in 0..<size {
                let port = UInt16(Int(range.lowerBound) + (Int(portCursor) + step) % size)
                let listening = FlowKey(proto: .tcp, localAddress: local.address, localPort: port)
                var key = listening
                key.remoteAddress = remote.address
                key.remotePort = remote.port
                if flows.find(listening) == nil, flows.find(key) == nil {
                    portCursor &+= UInt16(truncatingIfNeeded: step + 1)
                    return port
                }
            }
        }
        throw .noFreePort
    }

    /// Copies as much of `bytes` into the send buffer as fits and returns how many; 0 means
    /// full (wait for `tcpWritable`). Throws once the connection failed or was shut down.
    public mutating func write(_ handle: TCPHandle, _ bytes: PacketBytes, now: Instant) throws(TCPError) -> Int {
        advance(to: now)
        let index = try openConnection(handle)
        if let error = tcpConnections[index: index].error { throw error }
        guard tcpConnections[index: index].state.acceptsData, !tcpConnections[index: index].sender.space.finQueued else {
            throw .shutDown
        }
        let written = tcpConnections[index: index].sender.space.buffer.write(bytes)
        if written > 0 { connectionChanged(index, .transmit) }
        return written
    }

    /// Copies received bytes into `buffer`. Throws the connection's error (a reset, a
    /// timeout) once its bytes are read.
    public mutating func read(_ handle: TCPHandle, into buffer: MutablePacketBytes, now: Instant) throws(TCPError)
        -> TCPReadResult
    {
        advance(to: now)
        let index = try openConnection(handle)
        let copied = tcpConnections[index: index].receiver.buffer.read(into: buffer)
        if copied > 0 {
            if tcpConnections[index: index].windowOpened() { connectionChanged(index, .transmit) }
            return .bytes(copied)
        }
        if let error = tcpConnections[index: index].error { throw error }
        if tcpConnections[index: index].receiver.finReceived { return .endOfStream }
        return buffer.count == 0 ? .bytes(0) : .wouldBlock
    }

    /// Sends a FIN after the buffered bytes (`shutdown(SHUT_WR)`); reading goes on.
    public mutating func shutdownWrite(_ handle: TCPHandle, now: Instant) throws(TCPError) {
        advance(to: now)
        let index = try openConnection(handle)
        connectionChanged(index, tcpConnections[index: index].shutdownWrite())
    }

    /// Closes the handle. Unread bytes make it an abort (a reset, as Linux does); otherwise
    /// the FIN follows the buffered bytes and the close handshake finishes without the handle.
    public mutating func close(_ handle: TCPHandle, now: Instant) {
        advance(to: now)
        guard let index = tcpConnections.resolve(handle.slot), !tcpConnections[index: index].orphaned else { return }
        tcpConnections[index: index].orphaned = true
        if tcpConnections[index: index].state == .closed {
            retire(index)
            return
        }
        if tcpConnections[index: index].receiver.buffer.count > 0 {
            abortConnection(index)
            return
        }
        connectionChanged(index, tcpConnections[index: index].shutdownWrite())
    }

    /// Resets the connection at once and closes the handle.
    public mutating func abort(_ handle: TCPHandle, now: Instant) {
        advance(to: now)
        guard let index = tcpConnections.resolve(handle.slot), !tcpConnections[index: index].orphaned else { return }
        tcpConnections[index: index].orphaned = true
        abortConnection(index)
    }

    private mutating func abortConnection(_ index: Int) {
        tcpConnections[index: index].orphaned = true
        let outcome = tcpConnections[index: index].abort()
        connectionChanged(index, outcome)
    }

    // The queries below are always inlined: the runtime calls them under its lock on every
    // read and write, and an outlined call would take the whole stack by a copy (see
    // `nextDeadline`).

    /// The connection's state (nil: a stale handle).
    @inline(__always) public func state(_ handle: TCPHandle) -> TCPState? {
        tcpConnections.resolve(handle.slot).map { tcpConnections[index: $0].state }
    }

    /// The error that ended the connection, if one did.
    @inline(__always) public func error(_ handle: TCPHandle) -> TCPError? {
        tcpConnections.resolve(handle.slot).flatMap { tcpConnections[index: $0].error }
    }

    /// Bytes the send buffer can take now.
    @inline(__always) public func writableSpace(_ handle: TCPHandle) -> Int {
        tcpConnections.resolve(handle.slot).map { tcpConnections[index: $0].sender.space.buffer.freeSpace } ?? 0
    }

    /// Bytes waiting to be read.
    @inline(__always) public func readableBytes(_ handle: TCPHandle) -> Int {
        tcpConnections.resolve(handle.slot).map { tcpConnections[index: $0].receiver.buffer.count } ?? 0
    }

    /// A snapshot of the connection's state and estimates.
    public func info(_ handle: TCPHandle) -> TCPConnectionInfo? {
        guard let index = tcpConnections.resolve(handle.slot) else { return nil }
        let block = tcpConnections[index: index]
        return TCPConnectionInfo(
            state: block.state, local: block.local, remote: block.remote, maximumSegmentSize: block.sender.maximumSegment,
            congestionWindow: block.sender.recovery.congestion.window, slowStartThreshold: block.sender.recovery.congestion.slowStartThreshold,
            smoothedRTT: block.sender.timers.estimator.smoothedRTT, retransmissionTimeout: block.sender.timers.estimator.timeout,
            bytesInFlight: block.sender.space.bytesInFlight, sendBuffered: block.sender.space.buffer.count,
            receiveBuffered: block.receiver.buffer.count, windowScaling: block.agreed.windowScalingEnabled,
            timestamps: block.agreed.timestampsEnabled, sack: block.agreed.sackEnabled)
    }

    /// True while a connection still has bytes or a FIN the peer has not acknowledged (a
    /// program about to exit waits for this to end, or its last bytes would be lost).
    @inline(__always) public var tcpHasUnacknowledgedData: Bool {
        for index in 0..<tcpConnections.capacity where tcpConnections.isOpen(index) {
            if tcpConnections[index: index].awaitsAcknowledgement { return true }
        }
        return false
    }

    /// Always inlined: `read` and `write` call it, and an outlined call copies the stack.
    @inline(__always) private func openConnection(_ handle: TCPHandle) throws(TCPError) -> Int {
        guard let index = tcpConnections.resolve(handle.slot), !tcpConnections[index: index].orphaned else {
            throw .staleHandle
        }
        return index
    }
}
