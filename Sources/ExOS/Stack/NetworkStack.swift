// The library OS's network stack: a sans-I/O value. It is driven by `receive(frame:now:)`
// for every inbound frame, by application calls (open, send, receive, close), and by
// `transmit(now:into:)` whenever the device has room for a frame; `nextDeadline` says when
// timers want it driven again. It never reads a clock, sleeps or touches a descriptor, and
// after `init` it allocates nothing per packet.

import ExoPacket

/// Something that happened to a socket since the application last asked: readiness, edge
/// triggered (announced once until the application drains the socket or fills it again).
public enum StackEvent: Hashable, Sendable {
    /// A datagram or an error is waiting.
    case udpReadable(UDPHandle)
    /// The transmit queue, full at the last send, has room again.
    case udpWritable(UDPHandle)
    /// A reply, error or failure is waiting.
    case pingerReadable(PingerHandle)
    /// Bytes, the end of the peer's stream, or an error wait for the reader.
    case tcpReadable(TCPHandle)
    /// The connection opened, send space freed after a full buffer, or an error waits.
    case tcpWritable(TCPHandle)
    /// A connection waits to be accepted.
    case tcpAcceptable(TCPListenerHandle)
}

/// A whole IPv4 host stack (Ethernet, ARP, IPv4, ICMP, UDP; TCP in part 2) as a value.
/// See docs/EXOS.md for the design.
public struct NetworkStack: Sendable {
    let configuration: StackConfiguration
    let link: LinkIdentity
    let grants: EndpointGrants
    /// ARP: the neighbor cache, the frames waiting for a neighbor, the retries and announcements.
    var resolver: NeighborResolver
    /// Ready-made frames (ARP requests and replies, ICMP answers), in sending order.
    var control: ControlFrames
    var udpSockets: SocketTable<UDPSocketState>
    var pingers: SocketTable<PingerState>
    var tcpConnections: SocketTable<TCPControlBlock>
    var tcpListeners: SocketTable<TCPListenerState>
    /// Each connection's next timer, earliest first.
    var tcpTimers: DeadlineHeap
    let initialSequenceNumbers: InitialSequenceNumbers
    let synCookies: SYNCookies
    var flows: FlowTable
    /// Sockets and pingers with datagrams to send, in turn.
    var transmitTurns: FixedQueue<TransmitTurn>
    var events: FixedQueue<StackEvent>
    var icmpErrorLimiter: TokenBucket
    var identification: UInt16
    var portCursor: UInt16
    /// The latest `now` the stack was given (time never goes back for it).
    private(set) var now: Instant
    /// What the stack received, sent and dropped (by ``DropReason``).
    public internal(set) var counters = StackCounters()

    /// A stack as `configuration` describes it, at time `now`. Allocates every table and
    /// queue it will ever use (socket buffers are allocated when a socket opens).
    public init(configuration: StackConfiguration, now: Instant = .zero) {
        let limits = configuration.limits
        self.configuration = configuration
        link = LinkIdentity(configuration)
        grants = EndpointGrants(grants: configuration.grants)
        resolver = NeighborResolver(configuration, link: link, now: now)
        control = ControlFrames(frames: limits.controlFrames, maximumFrameLength: configuration.maximumFrameLength)
        udpSockets = SocketTable(capacity: limits.udpSockets, vacant: .vacant)
        pingers = SocketTable(capacity: limits.pingers, vacant: .vacant)
        tcpConnections = SocketTable(capacity: limits.tcpConnections, vacant: .vacant)
        tcpListeners = SocketTable(capacity: limits.tcpListeners, vacant: .vacant)
        tcpTimers = DeadlineHeap(capacity: limits.tcpConnections)
        initialSequenceNumbers = InitialSequenceNumbers(secret: configuration.sequenceSecret ?? configuration.secret)
        synCookies = SYNCookies(secret: configuration.secret ^ 0x5359_4E43_4F4F_4B49)
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
        icmpErrorLimiter = TokenBucket(burst: limits.icmpErrorBurst, interval: limits.icmpErrorInterval, now: now)
        identification = UInt16(truncatingIfNeeded: configuration.secret >> 16)
        portCursor = UInt16(truncatingIfNeeded: configuration.secret >> 32)
        self.now = now
    }

    /// The stack's addresses, as configured.
    public var addresses: [LocalAddress] { configuration.addresses }

    /// Largest UDP payload `send` accepts: the MTU less the IPv4 and UDP headers.
    public var maximumUDPPayload: Int { configuration.mtu - IPv4Packet.minimumHeaderLength - UDPDatagram.headerLength }

    /// Largest echo data a pinger sends: the MTU less the IPv4 and ICMP headers.
    public var maximumEchoData: Int { configuration.mtu - IPv4Packet.minimumHeaderLength - ICMPv4Message.headerLength }

    /// Moves the stack's clock to `now` (never back) and runs the timers due by then.
    mutating func advance(to time: Instant) {
        if time > now { now = time }
        resolver.runTimers(now: now, control: &control, counters: &counters)
        tellUnreachable()
        runTCPTimers()
    }

    /// When the stack next wants to be driven even if nothing arrives: the earliest ARP
    /// retry or announcement, or `now` when frames are waiting for the device. Nil when it
    /// has nothing to do until a frame or an application call comes.
    ///
    /// Always inlined (so is `hasFramesToSend`): the runtime asks on every pass of its loop,
    /// and an outlined getter would take the whole stack (over a kilobyte) by a copy made first.
    @inline(__always) public var nextDeadline: Instant? {
        hasFramesToSend ? now : nextTimerDeadline
    }

    /// The earliest timer (ARP retry, announcement, TCP): `nextDeadline` without the frames
    /// waiting to be sent. What a driver whose device is full waits for besides the device
    /// (frames that cannot go are not work to do now: spinning on them takes the CPU from
    /// whoever must free a transmit buffer).
    @inline(__always) public var nextTimerDeadline: Instant? {
        Instant.earliest(resolver.nextDeadline, tcpTimers.first?.deadline)
    }

    /// True when `transmit` may have a frame: ready-made, resolved, or a socket's turn.
    @inline(__always) public var hasFramesToSend: Bool {
        !control.isEmpty || resolver.hasResolvedFrames || !transmitTurns.isEmpty
    }

    /// The next readiness event, oldest first; nil when there is none.
    public mutating func nextEvent() -> StackEvent? {
        while let event = events.pop() {
            // Events of sockets closed since they were announced are skipped.
            switch event {
            case .udpReadable(let handle):
                guard let i = udpSockets.resolve(handle.slot) else { continue }
                udpSockets[index: i].readableAnnounced = false
            case .udpWritable(let handle):
                guard let i = udpSockets.resolve(handle.slot) else { continue }
                udpSockets[index: i].writableAnnounced = false
            case .pingerReadable(let handle):
                guard let i = pingers.resolve(handle.slot) else { continue }
                pingers[index: i].readableAnnounced = false
            case .tcpReadable(let handle):
                guard let i = tcpConnections.resolve(handle.slot) else { continue }
                tcpConnections[index: i].readableAnnounced = false
            case .tcpWritable(let handle):
                guard let i = tcpConnections.resolve(handle.slot) else { continue }
                tcpConnections[index: i].writableAnnounced = false
            case .tcpAcceptable(let handle):
                guard let i = tcpListeners.resolve(handle.slot) else { continue }
                tcpListeners[index: i].acceptableAnnounced = false
            }
            return event
        }
        return nil
    }

    mutating func post(_ event: StackEvent) -> Bool {
        // Cannot overflow while fewer than `udpSockets + pingers` stale events wait; if a
        // program churns sockets without reading events, the newest readiness is dropped
        // (the socket's state still says it is readable).
        guard events.count < events.capacity else { return false }
        events.push(event)
        return true
    }

    /// Announces that UDP socket `index` has something to read (once until consumed).
    mutating func announceReadable(udp index: Int) {
        guard !udpSockets[index: index].readableAnnounced else { return }
        udpSockets[index: index].readableAnnounced = post(.udpReadable(UDPHandle(slot: udpSockets.handle(at: index))))
    }

    mutating func announceReadable(pinger index: Int) {
        guard !pingers[index: index].readableAnnounced else { return }
        pingers[index: index].readableAnnounced = post(.pingerReadable(PingerHandle(slot: pingers.handle(at: index))))
    }

    mutating func announceWritable(udp index: Int) {
        guard udpSockets[index: index].wantsWritable, !udpSockets[index: index].writableAnnounced else { return }
        udpSockets[index: index].wantsWritable = false
        udpSockets[index: index].writableAnnounced = post(.udpWritable(UDPHandle(slot: udpSockets.handle(at: index))))
    }

    mutating func nextIdentification() -> UInt16 {
        identification &+= 1
        return identification
    }
}

/// A socket whose turn it is to send.
enum TransmitTurn {
    case udp(SlotHandle)
    case pinger(SlotHandle)
    case tcp(SlotHandle)
}
