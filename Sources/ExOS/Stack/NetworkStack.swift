// The library OS's network stack: a sans-I/O value. It is driven by `receive(frame:now:)`
// for every inbound frame, by application calls (open, send, receive, close), and by
// `transmit(now:into:)` whenever the device has room for a frame; `nextDeadline` says when
// timers want it driven again. It never reads a clock, sleeps or touches a descriptor, and
// after `init` it allocates nothing per packet. The stack itself is the wiring: what it
// shares is `StackCore`, and each job is a part it owns inline (docs/ARCHITECTURE.md).

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

extension StackEvent {
    /// Clears the announcement this event made, so the next change is announced again;
    /// false when its socket has closed since (the event is then skipped).
    func consume(udp: inout UDPSockets, pingers: inout Pingers, tcp: inout TCPSockets) -> Bool {
        switch self {
        case .udpReadable(let handle): udp.consume(handle, writable: false)
        case .udpWritable(let handle): udp.consume(handle, writable: true)
        case .pingerReadable(let handle): pingers.consume(handle)
        case .tcpReadable(let handle): tcp.connections.consume(handle, writable: false)
        case .tcpWritable(let handle): tcp.connections.consume(handle, writable: true)
        case .tcpAcceptable(let handle): tcp.listeners.consume(handle)
        }
    }
}

/// A whole IPv4 host stack (Ethernet, ARP, IPv4, ICMP, UDP, TCP) as a value.
/// See docs/EXOS.md for the design.
public struct NetworkStack: Sendable {
    /// Identity, clock, counters, ARP, the ready-made frames, the flow table, events and rota.
    var core: StackCore
    /// Echo answers, ICMP errors in and out, and the budget of every error the stack sends.
    var responder: ICMPResponder
    /// UDP sockets; ask it about one (`stack.udp.hasDatagram(handle)`).
    public internal(set) var udp: UDPSockets
    var pingers: Pingers
    /// Connections and listeners; ask it about one (`stack.tcp.state(handle)`).
    public internal(set) var tcp: TCPSockets

    /// What the stack received, sent and dropped (by ``DropReason``).
    public var counters: StackCounters { core.counters }

    /// A stack as `configuration` describes it, at time `now`. Allocates every table and
    /// queue it will ever use (socket buffers are allocated when a socket opens).
    public init(configuration: StackConfiguration, now: Instant = .zero) {
        core = StackCore(configuration: configuration, now: now)
        responder = ICMPResponder(configuration.limits, now: now)
        udp = UDPSockets(configuration.limits)
        pingers = Pingers(configuration.limits)
        tcp = TCPSockets(configuration)
    }

    /// The configuration the stack was made with.
    var configuration: StackConfiguration { core.configuration }

    /// The stack's addresses, as configured.
    public var addresses: [LocalAddress] { core.configuration.addresses }

    /// Largest UDP payload `send` accepts: the MTU less the IPv4 and UDP headers.
    public var maximumUDPPayload: Int { core.configuration.maximumUDPPayload }

    /// Largest echo data a pinger sends: the MTU less the IPv4 and ICMP headers.
    public var maximumEchoData: Int { core.configuration.maximumEchoData }

    /// Moves the stack's clock to `now` (never back) and runs the timers due by then.
    mutating func advance(to time: Instant) {
        core.advance(to: time)
        core.resolver.runTimers(now: core.now, control: &core.control, counters: &core.counters)
        core.tellUnreachable(udp: &udp, pingers: &pingers)
        tcp.connections.runTimers(core: &core, listeners: &tcp.listeners)
    }

    /// When the stack next wants to be driven even if nothing arrives: `now` when frames wait
    /// for the device, else the earliest timer. Nil when it has nothing to do until a frame or
    /// an application call comes. Always inlined (so are the two below): the runtime asks on
    /// every pass of its loop, and an outlined getter would copy the whole stack first.
    @inline(__always) public var nextDeadline: Instant? {
        hasFramesToSend ? core.now : nextTimerDeadline
    }

    /// The earliest timer (ARP retry, announcement, TCP): what a driver whose device is full
    /// waits for besides the device (frames that cannot go are not work to do now: spinning
    /// on them takes the CPU from whoever must free a transmit buffer).
    @inline(__always) public var nextTimerDeadline: Instant? {
        Instant.earliest(core.resolver.nextDeadline, tcp.connections.timers.first?.deadline)
    }

    /// True when `transmit` may have a frame: ready-made, resolved, or a socket's turn.
    @inline(__always) public var hasFramesToSend: Bool {
        !core.control.isEmpty || core.resolver.hasResolvedFrames || !core.transmitTurns.isEmpty
    }

    /// The next readiness event, oldest first; nil when there is none.
    public mutating func nextEvent() -> StackEvent? {
        while let event = core.events.pop() {
            // Events of sockets closed since they were announced are skipped.
            if event.consume(udp: &udp, pingers: &pingers, tcp: &tcp) { return event }
        }
        return nil
    }
}
