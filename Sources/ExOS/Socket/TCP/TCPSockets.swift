// TCP as the application sees it through the stack: connect, write into the send buffer (as
// much as fits), read from the receive buffer, shut down the sending side, close (gracefully:
// the close handshake goes on after the handle is gone) or abort. Listening and accepting
// are `TCPListeners`'. `NetworkStack` forwards its public TCP calls here.

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

extension TCPConnectionInfo {
    init(_ block: TCPControlBlock) {
        self.init(
            state: block.state, local: block.local, remote: block.remote, maximumSegmentSize: block.sender.maximumSegment,
            congestionWindow: block.sender.recovery.congestion.window,
            slowStartThreshold: block.sender.recovery.congestion.slowStartThreshold,
            smoothedRTT: block.sender.timers.estimator.smoothedRTT,
            retransmissionTimeout: block.sender.timers.estimator.timeout,
            bytesInFlight: block.sender.space.bytesInFlight, sendBuffered: block.sender.space.buffer.count,
            receiveBuffered: block.receiver.buffer.count, windowScaling: block.agreed.windowScalingEnabled,
            timestamps: block.agreed.timestampsEnabled, sack: block.agreed.sackEnabled)
    }
}

/// TCP in the stack: the connection and listener tables, the application's calls on
/// connections, and (`TCPSockets+Receive.swift`) the demultiplexing of arriving segments.
/// Ask it about a connection (`stack.tcp.state(handle)`); change connections through the stack.
public struct TCPSockets: Sendable {
    var connections: TCPConnections
    public internal(set) var listeners: TCPListeners

    init(_ configuration: StackConfiguration) {
        connections = TCPConnections(configuration)
        listeners = TCPListeners(configuration)
    }

    /// Opens a connection to `remote` from `port` of `address` (nil, 0: a granted address and
    /// a free port). The SYN leaves on a later `transmit`; `tcpWritable` says it opened.
    mutating func connect(
        to remote: IPv4Endpoint, from address: IPv4Address?, port: UInt16, options: TCPConnectionOptions,
        core: inout StackCore
    ) throws(StackError) -> TCPHandle {
        guard remote.port != 0, core.link.nextHop(to: remote.address) != nil else { throw .unroutable(remote.address) }
        let localIndex = try core.chooseAddress(address, proto: .tcp, port: port)
        let local = try endpoint(localIndex, port: port, remote: remote, core: &core)
        let key = FlowKey(
            proto: .tcp, localAddress: local.address, localPort: local.port, remoteAddress: remote.address,
            remotePort: remote.port)
        guard core.flows.find(key) == nil else { throw .endpointInUse }
        var block = connections.makeControlBlock(
            local: local, localIndex: localIndex, remote: remote, options: options, core: core)
        block.state = .synSent
        block.sender.space.synPending = true
        guard let slot = connections.insert(block, core: &core, listeners: &listeners) else { throw .tooManySockets }
        core.counters.tcp.activeOpens &+= 1
        connections.changed(Int(slot.index), .transmit, core: &core, listeners: &listeners)
        return TCPHandle(slot: slot)
    }

    /// The local endpoint a connection to `remote` would use: `address` (nil: the first
    /// address that grants `port`) and `port` (0: a free granted port whose four-tuple toward
    /// `remote` is free and that no listener holds).
    func chooseEndpoint(address: IPv4Address?, port: UInt16, remote: IPv4Endpoint, core: inout StackCore)
        throws(StackError) -> IPv4Endpoint
    {
        try endpoint(core.chooseAddress(address, proto: .tcp, port: port), port: port, remote: remote, core: &core)
    }

    private func endpoint(_ localIndex: Int, port: UInt16, remote: IPv4Endpoint, core: inout StackCore)
        throws(StackError) -> IPv4Endpoint
    {
        let localAddress = core.link.addresses[localIndex]
        let chosenPort = port != 0 ? port : try core.freePort(.tcp, localAddress, remote: remote)
        return IPv4Endpoint(address: localAddress.address, port: chosenPort)
    }

    /// Copies as much of `bytes` into the send buffer as fits and returns how many; 0 means
    /// full. Throws once the connection failed or was shut down.
    mutating func write(_ handle: TCPHandle, _ bytes: PacketBytes, core: inout StackCore) throws(TCPError) -> Int {
        let index = try openConnection(handle)
        if let error = connections.table[index: index].error { throw error }
        guard connections.table[index: index].state.acceptsData,
            !connections.table[index: index].sender.space.finQueued
        else { throw .shutDown }
        let written = connections.table[index: index].sender.space.buffer.write(bytes)
        if written > 0 { connections.changed(index, .transmit, core: &core, listeners: &listeners) }
        return written
    }

    /// Copies received bytes into `buffer`. Throws the connection's error (a reset, a
    /// timeout) once its bytes are read.
    mutating func read(_ handle: TCPHandle, into buffer: MutablePacketBytes, core: inout StackCore) throws(TCPError)
        -> TCPReadResult
    {
        let index = try openConnection(handle)
        let copied = connections.table[index: index].receiver.buffer.read(into: buffer)
        if copied > 0 {
            if connections.table[index: index].windowOpened() {
                connections.changed(index, .transmit, core: &core, listeners: &listeners)
            }
            return .bytes(copied)
        }
        if let error = connections.table[index: index].error { throw error }
        if connections.table[index: index].receiver.finReceived { return .endOfStream }
        return buffer.count == 0 ? .bytes(0) : .wouldBlock
    }

    /// Sends a FIN after the buffered bytes (`shutdown(SHUT_WR)`); reading goes on.
    mutating func shutdownWrite(_ handle: TCPHandle, core: inout StackCore) throws(TCPError) {
        let index = try openConnection(handle)
        let outcome = connections.table[index: index].shutdownWrite()
        connections.changed(index, outcome, core: &core, listeners: &listeners)
    }

    /// Closes the handle. Unread bytes make it an abort (a reset, as Linux does); otherwise
    /// the FIN follows the buffered bytes and the close handshake finishes without the handle.
    mutating func close(_ handle: TCPHandle, core: inout StackCore) {
        guard let index = connections.table.resolve(handle.slot), !connections.table[index: index].orphaned else {
            return
        }
        connections.table[index: index].orphaned = true
        if connections.table[index: index].state == .closed {
            connections.retire(index, core: &core, listeners: &listeners)
            return
        }
        if connections.table[index: index].receiver.buffer.count > 0 {
            connections.abort(index, core: &core, listeners: &listeners)
            return
        }
        let outcome = connections.table[index: index].shutdownWrite()
        connections.changed(index, outcome, core: &core, listeners: &listeners)
    }

    /// Resets the connection at once and closes the handle.
    mutating func abort(_ handle: TCPHandle, core: inout StackCore) {
        guard let index = connections.table.resolve(handle.slot), !connections.table[index: index].orphaned else {
            return
        }
        connections.abort(index, core: &core, listeners: &listeners)
    }

    // The queries below are always inlined: the runtime calls them under its lock on every
    // read and write, and an outlined call would take the whole part by a copy.

    /// The connection's state (nil: a stale handle).
    @inline(__always) public func state(_ handle: TCPHandle) -> TCPState? {
        connections.table.resolve(handle.slot).map { connections.table[index: $0].state }
    }

    /// The error that ended the connection, if one did.
    @inline(__always) public func error(_ handle: TCPHandle) -> TCPError? {
        connections.table.resolve(handle.slot).flatMap { connections.table[index: $0].error }
    }

    /// Bytes the send buffer can take now.
    @inline(__always) public func writableSpace(_ handle: TCPHandle) -> Int {
        connections.table.resolve(handle.slot).map { connections.table[index: $0].sender.space.buffer.freeSpace } ?? 0
    }

    /// Bytes waiting to be read.
    @inline(__always) public func readableBytes(_ handle: TCPHandle) -> Int {
        connections.table.resolve(handle.slot).map { connections.table[index: $0].receiver.buffer.count } ?? 0
    }

    /// A snapshot of the connection's state and estimates.
    public func info(_ handle: TCPHandle) -> TCPConnectionInfo? {
        connections.table.resolve(handle.slot).map { TCPConnectionInfo(connections.table[index: $0]) }
    }

    /// True while a connection still has bytes or a FIN the peer has not acknowledged (a
    /// program about to exit waits for this to end, or its last bytes would be lost).
    @inline(__always) public var hasUnacknowledgedData: Bool {
        for index in 0..<connections.table.capacity where connections.table.isOpen(index) {
            if connections.table[index: index].awaitsAcknowledgement { return true }
        }
        return false
    }

    /// Always inlined: `read` and `write` call it, and an outlined call copies the part.
    @inline(__always) private func openConnection(_ handle: TCPHandle) throws(TCPError) -> Int {
        guard let index = connections.table.resolve(handle.slot), !connections.table[index: index].orphaned else {
            throw .staleHandle
        }
        return index
    }
}
