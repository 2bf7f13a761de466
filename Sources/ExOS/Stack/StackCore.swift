// What every part of the stack shares (smoltcp keeps the like in its interface's inner half):
// the host's identity, the clock, the counters, the ready-made frames and the neighbor
// resolver every output path goes through, the flow table that maps endpoints to the
// socket parts' slots, and the two queues that order work across parts (readiness events
// and the transmit rota). The socket parts (`UDPSockets`, `Pingers`, `TCPConnections`,
// `TCPListeners`) own their tables and take this by `inout` for what they share.

import ExoPacket

struct StackCore: Sendable {
    /// Changed only by `relink` (a restarted daemon's MACs; docs/EXOS.md, daemon restarts).
    var configuration: StackConfiguration
    var link: LinkIdentity
    let grants: EndpointGrants
    /// ARP: the neighbor cache, the frames waiting for a neighbor, the retries and announcements.
    var resolver: NeighborResolver
    /// Ready-made frames (ARP requests and replies, ICMP answers, resets), in sending order.
    var control: ControlFrames
    /// Every open endpoint of every kind, keyed by protocol, to its slot in its part's table.
    var flows: FlowTable
    /// Sockets and pingers with something to send, in turn; each is here at most once
    /// (its `transmitScheduled` says so), so the rota never holds more than the sockets.
    var transmitTurns: FixedQueue<TransmitTurn>
    var events: FixedQueue<StackEvent>
    var identification: UInt16
    var portCursor: UInt16
    /// The latest `now` the stack was given (time never goes back for it).
    private(set) var now: Instant
    var counters = StackCounters()

    init(configuration: StackConfiguration, now: Instant) {
        let limits = configuration.limits
        self.configuration = configuration
        link = LinkIdentity(configuration)
        grants = EndpointGrants(grants: configuration.grants)
        resolver = NeighborResolver(configuration, link: link, now: now)
        control = ControlFrames(frames: limits.controlFrames, maximumFrameLength: configuration.maximumFrameLength)
        flows = FlowTable(
            maximumEntries: limits.udpSockets + limits.pingers + limits.tcpConnections + limits.tcpListeners,
            secret: configuration.secret)
        transmitTurns = FixedQueue(
            capacity: limits.udpSockets + limits.pingers + limits.tcpConnections,
            filler: .udp(SlotHandle(index: 0, generation: 0)))
        // Room for every live socket's events plus as many again for closed sockets' stale ones.
        events = FixedQueue(
            capacity: 2 * (2 * limits.udpSockets + limits.pingers + 2 * limits.tcpConnections + limits.tcpListeners),
            filler: .udpReadable(UDPHandle(slot: SlotHandle(index: 0, generation: 0))))
        identification = UInt16(truncatingIfNeeded: configuration.secret >> 16)
        portCursor = UInt16(truncatingIfNeeded: configuration.secret >> 32)
        self.now = now
    }

    /// Moves the clock to `time`, never back.
    mutating func advance(to time: Instant) {
        if time > now { now = time }
    }

    mutating func nextIdentification() -> UInt16 {
        identification &+= 1
        return identification
    }

    mutating func post(_ event: StackEvent) -> Bool {
        // Cannot overflow while fewer than `udpSockets + pingers` stale events wait; if a
        // program churns sockets without reading events, the newest readiness is dropped
        // (the socket's state still says it is readable).
        guard events.count < events.capacity else { return false }
        events.push(event)
        return true
    }

    /// Puts a socket's turn on the transmit rota (its part checked it was not there).
    mutating func schedule(_ turn: TransmitTurn) {
        transmitTurns.push(turn)
    }

    /// Takes the turn of a socket leaving its table off the rota, so that no stale turn ever
    /// fills it. O(turns waiting), and only for a socket closed with something to send.
    mutating func cancel(_ turn: TransmitTurn) {
        for _ in 0..<transmitTurns.count {
            guard let waiting = transmitTurns.pop() else { break }
            if waiting != turn { transmitTurns.push(waiting) }
        }
    }

    /// Learns an on-link sender's MAC from a datagram the stack accepted (a socket took it,
    /// or an echo was answered). On a shared address this is the only way: the daemon
    /// answers ARP for the address, so replies to the stack's requests go to the daemon.
    /// It also saves a server an ARP round trip before its first answer. Only datagrams
    /// something accepted teach, so garbage cannot churn the cache.
    mutating func glean(_ datagram: ReceivedDatagram) {
        resolver.learn(datagram, now: now)
    }

    /// Tells the sockets and pingers whose frames ARP gave up on: a UDP socket gets
    /// `hostUnreachable` as its error, a pinger an event. TCP treats it as a soft error (RFC
    /// 1122 §4.2.3.9): its retransmissions retry ARP.
    mutating func tellUnreachable(udp: inout UDPSockets, pingers: inout Pingers) {
        while let (origin, address) = resolver.nextUnreachable() {
            switch origin {
            case .stack, .tcp: break
            case .udp(let handle): udp.neighborUnreachable(handle, address, core: &self)
            case .pinger(let handle): pingers.neighborUnreachable(handle, address, core: &self)
            }
        }
    }

    /// Appends a ready-made frame to the control frames; false (counted) when they are full.
    mutating func enqueueControl(length: Int, _ fill: (MutablePacketBytes) -> Void) -> Bool {
        control.enqueue(length: length, counters: &counters, fill)
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

    /// A granted port on `local` that no socket of `proto` holds (and, with `remote`, whose
    /// four-tuple toward it is free too), searched from a cursor that moves on (so ports are
    /// not reused at once).
    mutating func freePort(_ proto: IPProtocol, _ local: LocalAddress, remote: IPv4Endpoint? = nil) throws(StackError)
        -> UInt16
    {
        for range in grants.candidateRanges(proto, local) {
            let size = Int(range.upperBound) - Int(range.lowerBound) + 1
            for step in 0..<size {
                let port = UInt16(Int(range.lowerBound) + (Int(portCursor) + step) % size)
                let listening = FlowKey(proto: proto, localAddress: local.address, localPort: port)
                guard flows.find(listening) == nil else { continue }
                if let remote {
                    var key = listening
                    key.remoteAddress = remote.address
                    key.remotePort = remote.port
                    guard flows.find(key) == nil else { continue }
                }
                portCursor &+= UInt16(truncatingIfNeeded: step + 1)
                return port
            }
        }
        throw .noFreePort
    }

    /// Where a datagram to `destination` from local address `source` goes now. (Resolving
    /// never gives up on a neighbor, so no sender needs telling here: `runTimers` does that.)
    mutating func route(to destination: IPv4Address, source: Int) -> RouteResult {
        guard let hop = link.nextHop(to: destination) else { return .unroutable }
        switch resolver.resolve(hop, source: source, now: now, control: &control, counters: &counters) {
        case .mac(let mac): return .send(mac)
        case .pending(let entry): return .wait(entry)
        case .cacheFull: return .cacheFull
        }
    }

    /// Returns true when the frame built in `frame` can go now; otherwise parks it on its
    /// neighbor's pending list (or drops it, counted) and returns false.
    mutating func finish(_ frame: MutablePacketBytes, _ result: RouteResult, origin: PacketOrigin) -> Bool {
        switch result {
        case .send:
            return true
        case .wait(let entry):
            _ = resolver.park(frame, on: entry, origin: origin, counters: &counters)
            return false
        case .cacheFull:
            counters.count(.neighborCacheFull)
            return false
        case .unroutable:
            // `send` checked the route; only a changed configuration could get here.
            counters.count(.neighborUnresolved)
            return false
        }
    }
}

/// A socket whose turn it is to send.
enum TransmitTurn: Equatable {
    case udp(SlotHandle)
    case pinger(SlotHandle)
    case tcp(SlotHandle)
}

/// The output path's decision for one datagram.
enum RouteResult {
    case send(MACAddress)
    case wait(Int)
    case cacheFull
    case unroutable

    var mac: MACAddress? {
        if case .send(let mac) = self { return mac }
        return nil
    }
}
