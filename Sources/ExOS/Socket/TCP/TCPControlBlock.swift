// One TCP connection (RFC 9293's transmission control block): its state, its endpoints, and
// the parts that keep the rest: the sending half (`TCPSender`: send sequence space, loss
// recovery, congestion, loss timers), the receiving half (`TCPReceiver`: receive sequence
// space, reassembly, the window offered, the ACKs owed), what the handshake agreed, and the
// keep-alive, TIME_WAIT and orphan timers. A pure value: segments (`TCPSegmentArrival`),
// application calls and `now` go in; segments to send come out one at a time.

import ExoPacket

struct TCPControlBlock {
    var state: TCPState
    let local: IPv4Endpoint
    /// Index of `local.address` among the stack's addresses.
    let localIndex: Int
    let remote: IPv4Endpoint
    let options: TCPConnectionOptions
    /// The stack's bounds and timings (delayed ACK, TIME_WAIT, retry limits).
    let limits: StackLimits
    var sender: TCPSender
    var receiver: TCPReceiver
    var agreed: TCPNegotiatedOptions
    var keepAlive: KeepAliveTimer
    /// TIME_WAIT's end (2·MSL), and how long a connection the application closed may wait
    /// in FIN_WAIT_2 for the peer's FIN.
    var timeWaitDeadline: Instant?
    var orphanDeadline: Instant?
    var error: TCPError?
    /// The latest ICMP error about the connection's segments: a soft error (RFC 1122
    /// §4.2.3.9), reported as `unreachable` if the retransmissions then fail.
    var softError: ICMPErrorReport?
    /// The application closed its handle: nothing more is read; data arriving is answered
    /// with a reset, and the block goes away once the close handshake ends.
    var orphaned = false
    /// A reset to send on the next turn (abort, or data for an orphaned connection).
    var resetPending = false
    /// The listener that accepted it, until the application takes it (passive opens), and
    /// whether it counts in that listener's half-open connections (SYN-RECEIVED).
    var listener: SlotHandle?
    var countedHalfOpen = false
    /// What the stack announced and scheduled for it (each at most once until consumed).
    var readableAnnounced = false
    var writableAnnounced = false
    var transmitScheduled = false

    init(
        local: IPv4Endpoint, localIndex: Int, remote: IPv4Endpoint, options: TCPConnectionOptions,
        initialSequence: TCPSequenceNumber, timestampOffset: UInt32, mtu: Int, limits: StackLimits, now: Instant
    ) {
        state = .closed
        self.local = local
        self.localIndex = localIndex
        self.remote = remote
        self.options = options
        self.limits = limits
        let offered = mtu - IPv4Packet.minimumHeaderLength - TCPHeader.minimumLength
        sender = TCPSender(
            initialSequence: initialSequence, options: options, limits: limits, offeredSegment: offered, now: now)
        receiver = TCPReceiver(
            bufferSize: options.receiveBufferSize, offeredSegment: offered, outOfOrderRanges: limits.tcpOutOfOrderRanges)
        agreed = TCPNegotiatedOptions(timestampOffset: timestampOffset)
        keepAlive = KeepAliveTimer(now: now)
    }

    /// What a free slot of the connection table holds: tiny buffers, never used.
    static let vacant: TCPControlBlock = {
        var tiny = TCPConnectionOptions()
        tiny.sendBufferSize = 1
        tiny.receiveBufferSize = 1
        var limits = StackLimits()
        limits.tcpOutOfOrderRanges = 1
        limits.tcpSACKRanges = 1
        let nowhere = IPv4Endpoint(address: .any, port: 0)
        return TCPControlBlock(
            local: nowhere, localIndex: 0, remote: nowhere, options: tiny, initialSequence: TCPSequenceNumber(0),
            timestampOffset: 0, mtu: 1500, limits: limits, now: .zero)
    }()

    // Derived values are always inlined, like every non-mutating helper the packet path calls
    // from a mutating method: the block is a kilobyte of loadable fields, and an outlined call
    // that borrows `self` gets it by a copy the caller makes first (a 1 KB memcpy per call,
    // seen in profiles as most of the stack thread's memmove). A mutating helper takes the
    // address.

    /// Bytes or a FIN the peer has not acknowledged yet, on a connection that can still
    /// deliver them (not before the handshake, not in TIME_WAIT or CLOSED).
    @inline(__always) var awaitsAcknowledgement: Bool {
        guard state.isSynchronized || state == .synReceived, state != .timeWait else { return false }
        return sender.space.awaitsAcknowledgement
    }

    /// The earliest of the connection's timers, or nil.
    @inline(__always) var nextTimer: Instant? {
        Instant.earliest(
            Instant.earliest(sender.nextTimer, receiver.acknowledgements.deadline),
            Instant.earliest(Instant.earliest(keepAlive.deadline, timeWaitDeadline), orphanDeadline))
    }

    /// Adopts the options of the peer's SYN (or SYN-ACK): each is used only when both sides
    /// sent it (we always offer all of them).
    mutating func negotiate(_ peer: TCPOptions, now: Instant) {
        agreed.adopt(peer, now: now)
        if peer.windowScale == nil { receiver.scale = 0 }
        sender.adoptSegmentSize(
            peer.maximumSegmentSize, offered: receiver.offeredSegment, timestamps: agreed.timestampsEnabled)
    }

    // MARK: Application calls (RFC 9293 §3.10.4 CLOSE, §3.10.5 ABORT)

    /// Queues the FIN after the buffered bytes and moves to the state that waits for it.
    mutating func shutdownWrite() -> TCPOutcome {
        guard !sender.space.finQueued else { return [] }
        switch state {
        case .synSent:
            // Nothing was exchanged yet: the connection just goes.
            state = .closed
            return .closed
        case .synReceived, .established:
            sender.space.finQueued = true
            state = .finWait1
        case .closeWait:
            sender.space.finQueued = true
            state = .lastAck
        default:
            return []
        }
        return .transmit
    }

    /// Resets the connection (a RST if the peer knows of it) and closes it.
    mutating func abort() -> TCPOutcome {
        switch state {
        case .closed, .timeWait:
            state = .closed
            return .closed
        case .synSent:
            fail(.aborted)
            return .closed
        default:
            error = error ?? .aborted
            sender.stopRetransmitting()
            keepAlive.deadline = nil
            receiver.acknowledgements.stopTimer()
            resetPending = true
            return .transmit
        }
    }

    /// After the application read: true when a window update is worth sending now.
    mutating func windowOpened() -> Bool {
        state.receivesData && receiver.windowOpened()
    }

    /// Ends the connection with `error`: nothing more is sent.
    mutating func fail(_ failure: TCPError) {
        error = failure
        state = .closed
        sender.stopRetransmitting()
        sender.timers.tailProbeDeadline = nil
        keepAlive.deadline = nil
        timeWaitDeadline = nil
        receiver.acknowledgements.stopTimer()
    }

    /// Starts TIME_WAIT's 2·MSL (RFC 9293 §3.6); nothing is sent or retransmitted in it.
    mutating func enterTimeWait(now: Instant) {
        state = .timeWait
        sender.stopRetransmitting()
        keepAlive.deadline = nil
        timeWaitDeadline = now + limits.tcpTimeWait
    }

    /// Takes one arriving segment (see `TCPSegmentArrival`).
    mutating func receive(
        _ segment: TCPRepr, payload: PacketBytes, now: Instant, counters: inout StackCounters
    ) -> TCPOutcome {
        TCPSegmentArrival(segment: segment, payload: payload, now: now).process(&self, counters: &counters)
    }

    /// Whether `syn` (a bare SYN for this four-tuple) must belong to a new connection: this
    /// one is in TIME_WAIT, and the SYN's timestamp (when both used them) or else its
    /// sequence number lies beyond everything the old connection received (RFC 6191).
    mutating func yieldsToNewIncarnation(_ syn: TCPRepr) -> Bool {
        guard state == .timeWait, syn.flags == .syn else { return false }
        return agreed.isNewer(syn) ?? syn.sequenceNumber.isAfter(receiver.next)
    }
}
