// One TCP connection's state (RFC 9293's transmission control block): the two sequence
// spaces, the buffers, what the handshake negotiated, the loss-recovery and congestion state,
// and the timers. A pure value: segments, application calls and `now` go in (see the
// +Receive, +Send and +Timers extensions); segments to send come out one at a time.

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
    /// The listener that accepted it, until the application takes it (passive opens).
    var listener: SlotHandle?
    /// Counted in its listener's half-open connections (a passive open in SYN-RECEIVED).
    var countedHalfOpen = false

    // MARK: Send sequence space (RFC 9293 §3.3.1)
    let initialSendSequence: TCPSequenceNumber
    /// Oldest unacknowledged number (SND.UNA).
    var sendUnacknowledged: TCPSequenceNumber
    /// Next number to send (SND.NXT); rewound to SND.UNA by a retransmission timeout.
    var sendNext: TCPSequenceNumber
    /// Highest number sent so far plus one (never rewound).
    var sendMaximum: TCPSequenceNumber
    /// The peer's window, scaled (SND.WND), and the segment that last set it (SND.WL1/WL2).
    var sendWindow = 0
    var sendWindowSequence = TCPSequenceNumber(0)
    var sendWindowAcknowledgement = TCPSequenceNumber(0)
    /// Largest window the peer ever offered (sender-side silly window avoidance).
    var largestSendWindow = 0
    /// The bytes written and not yet acknowledged; its first byte has number `sendBase`.
    var sendBuffer: ByteRing
    var sendBase: TCPSequenceNumber
    /// The application shut down its direction: a FIN follows the buffered bytes.
    var finQueued = false
    /// The SYN (or SYN-ACK) is to be sent (at open and after a timeout).
    var synPending = false

    // MARK: Receive sequence space
    var initialReceiveSequence = TCPSequenceNumber(0)
    /// Next number expected (RCV.NXT).
    var receiveNext = TCPSequenceNumber(0)
    /// Right edge of the window last advertised (never moved left, RFC 9293 §3.8.6.2.2).
    var advertisedEdge = TCPSequenceNumber(0)
    /// Bytes received in order and not yet read; out-of-order bytes wait past its tail.
    var receiveBuffer: ByteRing
    var assembler: ReceiveAssembler
    /// The peer's FIN, when it arrived ahead of missing data: its sequence number.
    var pendingFin: TCPSequenceNumber?
    /// The peer's FIN has been received in order: after the buffered bytes, end of stream.
    var finReceived = false

    // MARK: Negotiated in the handshake
    /// Largest payload per segment we send (the peer's MSS, less the options we always send).
    var maximumSegment: Int
    /// The peer's MSS (RFC 6691: payload and options together never exceed it), ≤ ours.
    var peerSegment: Int
    /// Our MSS as offered (MTU − 40).
    let offeredSegment: Int
    /// Shift applied to the peer's window field, and to ours (RFC 7323 §2); 0 when off.
    var sendScale: UInt8 = 0
    var receiveScale: UInt8
    /// Both SYNs carried the window scale option.
    var windowScalingEnabled = false
    var timestampsEnabled = false
    var sackEnabled = false
    /// The peer's latest timestamp worth echoing (TS.Recent) and when it was taken (PAWS).
    var recentTimestamp: UInt32 = 0
    var recentTimestampTime = Instant.zero
    /// Added to our millisecond clock so that TSval does not reveal uptime (RFC 7323 §7.1).
    let timestampOffset: UInt32

    // MARK: Acknowledgements we owe
    /// An ACK is owed; `ackDeadline` is when a delayed one must go.
    var ackPending = false
    var ackNow = false
    var ackDeadline: Instant?
    /// When the latest challenge ACK went (RFC 5961 §7's rate limit).
    var lastChallengeAck: Instant?
    /// Full-sized segments received since our last ACK (every second one is acked at once).
    var segmentsSinceAck = 0

    // MARK: Loss recovery and congestion
    var rtt: RTTEstimator
    var congestion: CongestionController
    var scoreboard: SACKScoreboard
    /// Duplicate ACKs in a row (RFC 5681 §2).
    var duplicateAcks = 0
    /// In fast recovery until SND.UNA passes this (RFC 6582's "recover").
    var recoveryPoint: TCPSequenceNumber?
    /// Window inflation during NewReno recovery (RFC 6582 step 4), bytes.
    var recoveryInflation = 0
    /// Highest number retransmitted in this recovery (RFC 6675 HighRxt).
    var highestRetransmitted = TCPSequenceNumber(0)
    /// Retransmit the segment at SND.UNA on the next turn (fast retransmit, partial ACK).
    var retransmitFirst = false
    /// A segment timed without timestamps (Karn: cleared by any retransmission).
    var rttProbe: (sequence: TCPSequenceNumber, sentAt: Instant)?
    /// RACK's time-based loss marking (RFC 8985) in sequence order: every un-SACKed byte
    /// below this was sent long enough before data the peer has since received to be lost.
    var lostBelow: TCPSequenceNumber?
    /// SND.MAX when the latest retransmission went out: data sent after it being SACKed
    /// (beyond DupThresh segments of reordering) means the retransmissions were lost too.
    var retransmitMark: TCPSequenceNumber?
    /// RFC 6582's "recover" after a timeout: duplicate ACKs without new SACK information do
    /// not start fast retransmit until SND.UNA passes it (they echo the go-back-N resends).
    var timeoutRecover: TCPSequenceNumber?
    /// RFC 8985 §7's tail loss probe: its timer, a probe owed, and where the outstanding
    /// probe starts (one per episode, until SND.UNA advances).
    var tailProbeDeadline: Instant?
    var tailProbeNow = false
    var tailProbeStart: TCPSequenceNumber?

    // MARK: Timers (nil: not running)
    var retransmitDeadline: Instant?
    var persistDeadline: Instant?
    var keepAliveDeadline: Instant?
    var timeWaitDeadline: Instant?
    /// When a closed-by-the-application connection stops waiting in FIN_WAIT_2.
    var orphanDeadline: Instant?
    /// Timeouts in a row without progress; beyond the limit the connection fails.
    var retransmissions = 0
    var persistBackOff = 0
    var keepAliveProbesSent = 0
    /// Send a window probe (one byte past a zero window) on the next turn.
    var probeNow = false
    /// Send a keep-alive probe on the next turn.
    var keepAliveNow = false
    /// When anything was last received (keep-alive) and last sent (RFC 5681 §4.1 idle restart).
    var lastReceived: Instant
    var lastSent: Instant

    // MARK: The application's side
    var error: TCPError?
    /// The latest ICMP error about the connection's segments: a soft error (RFC 1122
    /// §4.2.3.9), reported as `unreachable` if the retransmissions then fail.
    var softError: ICMPErrorReport?
    /// The application closed its handle: nothing more is read; data arriving is answered
    /// with a reset, and the block goes away once the close handshake ends.
    var orphaned = false
    /// A reset to send on the next turn (abort, or data for an orphaned connection).
    var resetPending = false
    var readableAnnounced = false
    var writableAnnounced = false
    var wantsWritable = false
    var transmitScheduled = false
    /// The reader was told about the end of stream or an error (announced once).
    var endAnnounced = false

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
        initialSendSequence = initialSequence
        sendUnacknowledged = initialSequence
        sendNext = initialSequence
        sendMaximum = initialSequence
        sendBase = initialSequence + 1
        sendBuffer = ByteRing(capacity: max(options.sendBufferSize, 1))
        receiveBuffer = ByteRing(capacity: max(options.receiveBufferSize, 1))
        assembler = ReceiveAssembler(maximumRanges: limits.tcpOutOfOrderRanges)
        offeredSegment = mtu - IPv4Packet.minimumHeaderLength - TCPHeader.minimumLength
        // RFC 9293 §3.7.1: without the peer's MSS option, 536.
        maximumSegment = min(536, offeredSegment)
        peerSegment = maximumSegment
        receiveScale = Self.scale(for: options.receiveBufferSize)
        self.timestampOffset = timestampOffset
        rtt = RTTEstimator(initialTimeout: limits.tcpInitialTimeout, minimumTimeout: limits.tcpMinimumTimeout)
        congestion = CongestionController(options.congestionControl, maximumSegmentSize: maximumSegment, now: now)
        scoreboard = SACKScoreboard(maximumRanges: limits.tcpSACKRanges)
        lastReceived = now
        lastSent = now
    }

    /// The smallest window shift that lets the whole buffer be advertised (at most 14).
    static func scale(for bufferSize: Int) -> UInt8 {
        var shift: UInt8 = 0
        while shift < 14, bufferSize >> Int(shift) > Int(UInt16.max) { shift += 1 }
        return shift
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

    // MARK: Derived values
    // Always inlined, like every non-mutating helper the packet path calls from a mutating
    // method: the block is a kilobyte of loadable fields, and an outlined call that borrows
    // `self` gets it by a copy the caller makes first (a 1 KB memcpy per call, seen in
    // profiles as most of the stack thread's memmove). A mutating helper takes the address.

    /// Bytes sent and not yet acknowledged (FlightSize, counting SYN and FIN).
    @inline(__always) var bytesInFlight: Int { max(sendNext - sendUnacknowledged, 0) }

    /// The number the FIN takes (after every buffered byte), once queued.
    @inline(__always) var finSequence: TCPSequenceNumber { sendBase + sendBuffer.count }

    /// True once our FIN has been sent at least once.
    @inline(__always) var finSent: Bool { finQueued && !sendMaximum.isBefore(finSequence + 1) }

    /// True once the peer acknowledged our FIN.
    @inline(__always) var finAcknowledged: Bool { finQueued && !sendUnacknowledged.isBefore(finSequence + 1) }

    /// Bytes or a FIN the peer has not acknowledged yet, on a connection that can still
    /// deliver them (not before the handshake, not in TIME_WAIT or CLOSED).
    @inline(__always) var awaitsAcknowledgement: Bool {
        guard state.isSynchronized || state == .synReceived, state != .timeWait else { return false }
        return sendBuffer.count > 0 || (finQueued && !finAcknowledged)
    }

    /// Bytes the receive buffer can still take: the window we offer.
    ///
    /// One window unit (2^scale bytes) of the ring is held back from it: the window field
    /// counts in those units and is rounded up so the advertised right edge never moves
    /// left, and whatever the peer sends up to that edge must fit in the ring.
    @inline(__always) var receiveWindow: Int { max(receiveBuffer.freeSpace - (1 << Int(receiveScale)), 0) }

    /// Our timestamp clock: milliseconds, offset per connection.
    @inline(__always) func timestampClock(_ now: Instant) -> UInt32 {
        UInt32(truncatingIfNeeded: now.nanoseconds / 1_000_000) &+ timestampOffset
    }

    /// In fast recovery.
    @inline(__always) var inRecovery: Bool { recoveryPoint != nil }

    /// The earliest of the connection's timers, or nil.
    @inline(__always) var nextTimer: Instant? {
        Instant.earliest(
            Instant.earliest(Instant.earliest(retransmitDeadline, tailProbeDeadline), persistDeadline),
            Instant.earliest(
                Instant.earliest(keepAliveDeadline, timeWaitDeadline), Instant.earliest(ackDeadline, orphanDeadline)))
    }
}
