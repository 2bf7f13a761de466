// The sending half of a connection: which bytes go next (new data as far as the send space
// and the congestion state allow; retransmissions by NextSeg, RFC 6675; the tail loss probe,
// RFC 8985 §7.3) and the bookkeeping every sent segment shares. Its parts keep their own
// rules: the send sequence space and ring (`TCPSendSpace`), the congestion state and loss
// recovery (`TCPLossRecovery`), the loss timers and RTT (`TCPLossTimers`), the persist timer
// and the segment sizes. What an ACK does to them is in +Acknowledgement.

import ExoPacket

/// One segment the sender chose: its first number, flags (SYN, FIN, PSH; the connection
/// adds ACK), and where its payload lies in the send ring.
struct TCPSendChoice {
    var sequence: TCPSequenceNumber
    var flags: TCPFlags
    /// Offset of the first payload byte from the send ring's head.
    var bufferOffset: Int
    var length: Int
}

struct TCPSender {
    var space: TCPSendSpace
    var recovery: TCPLossRecovery
    var timers: TCPLossTimers
    var persist = PersistTimer()
    private(set) var sizes: TCPSegmentSizes
    /// Nagle's algorithm is off (TCP_NODELAY).
    let noDelay: Bool
    /// When a segment was last sent (RFC 5681 §4.1's restart after idle).
    private var lastSent: Instant

    init(
        initialSequence: TCPSequenceNumber, options: TCPConnectionOptions, limits: StackLimits, offeredSegment: Int,
        now: Instant
    ) {
        space = TCPSendSpace(initial: initialSequence, bufferSize: options.sendBufferSize)
        sizes = TCPSegmentSizes(offered: offeredSegment)
        recovery = TCPLossRecovery(
            options.congestionControl, maximumSegment: sizes.maximumSegment, maximumSACKRanges: limits.tcpSACKRanges,
            now: now)
        timers = TCPLossTimers(limits: limits)
        noDelay = options.noDelay
        lastSent = now
    }

    /// Largest payload per segment.
    @inline(__always) var maximumSegment: Int { sizes.maximumSegment }

    /// The earliest of the sending timers, or nil.
    @inline(__always) var nextTimer: Instant? {
        Instant.earliest(Instant.earliest(timers.retransmitDeadline, timers.tailProbeDeadline), persist.deadline)
    }

    /// Takes the peer's MSS option from its SYN (see `TCPSegmentSizes.adopt`).
    mutating func adoptSegmentSize(_ peerMSS: UInt16?, offered: Int, timestamps: Bool) {
        sizes.adopt(peerMSS, offered: offered, timestamps: timestamps)
        recovery.congestion.setMaximumSegmentSize(sizes.maximumSegment)
    }

    /// Path MTU discovery: true when the segment size fell, and the first unacknowledged
    /// segment is then resent at the new size.
    mutating func lowerPathMTU(to mtu: Int, timestamps: Bool) -> Bool {
        guard sizes.lower(toPathMTU: mtu, timestamps: timestamps) else { return false }
        recovery.congestion.setMaximumSegmentSize(sizes.maximumSegment)
        recovery.retransmitFirst = space.hasOutstanding
        return true
    }

    /// The bookkeeping every sent segment shares: payload and options within the peer's MSS
    /// (RFC 6691: SACK blocks can make the options larger than the timestamps
    /// `maximumSegment` allows for, so less is sent), SND.MAX, the retransmission timer.
    mutating func emit(
        sequence: TCPSequenceNumber, flags requestedFlags: TCPFlags, bufferOffset: Int = 0, length requested: Int = 0,
        optionsLength: Int, now: Instant
    ) -> TCPSendChoice {
        var flags = requestedFlags
        var length = requested
        let room = sizes.peerSegment - optionsLength
        if length > room {
            length = max(room, 0)
            flags.remove(.fin)
            flags.remove(.psh)
        }
        let consumed = length + (flags.contains(.syn) ? 1 : 0) + (flags.contains(.fin) ? 1 : 0)
        if consumed > 0 {
            space.noteSent(from: sequence, consumed: consumed, synchronizing: flags.contains(.syn))
            timers.startIfStopped(now: now)
        }
        lastSent = now
        return TCPSendChoice(sequence: sequence, flags: flags, bufferOffset: bufferOffset, length: length)
    }

    /// Our SYN or SYN-ACK: timed if it is the first (Karn: never a resent one).
    mutating func synchronizing(acknowledging: Bool, optionsLength: Int, now: Instant) -> TCPSendChoice {
        space.synPending = false
        if space.maximum != space.initial {
            timers.estimator.cancelTiming()
        } else {
            timers.estimator.time(space.initial, sentAt: now)
        }
        let flags: TCPFlags = acknowledging ? [.syn, .ack] : .syn
        return emit(sequence: space.initial, flags: flags, optionsLength: optionsLength, now: now)
    }

    /// A retransmission owed by fast retransmit or a partial ACK, or (SACK recovery) the next
    /// hole while the pipe leaves room.
    mutating func retransmission(
        onlyLost: Bool, _ agreed: TCPNegotiatedOptions, optionsLength: Int, now: Instant,
        counters: inout StackCounters
    ) -> TCPSendChoice? {
        guard
            let (start, limit) = recovery.nextRetransmission(
                onlyLost: onlyLost, sackEnabled: agreed.sackEnabled, unacknowledged: space.unacknowledged,
                next: space.next, maximumSegment: maximumSegment)
        else { return nil }
        return resend(from: start, limit: limit, optionsLength: optionsLength, now: now, counters: &counters)
    }

    /// RFC 8985 §7.3, when a probe is owed: one segment of new data if the peer's window
    /// allows, else the last segment sent again, so that an ACK (with SACK) tells what the
    /// tail of the flight did.
    mutating func tailLossProbe(
        _ agreed: TCPNegotiatedOptions, optionsLength: Int, now: Instant, counters: inout StackCounters
    ) -> TCPSendChoice? {
        guard timers.tailProbeOwed else { return nil }
        timers.tailProbeOwed = false
        guard !recovery.inRecovery, space.hasOutstanding else { return nil }
        let start = space.next
        if let data = newData(agreed, optionsLength: optionsLength, now: now, counters: &counters, probing: true) {
            timers.tailProbeStart = start
            return data
        }
        // The last segment sent: up to one MSS before the highest byte sent (and its FIN).
        let sentEnd = space.finSent ? space.finSequence : space.maximum
        let last = TCPSequenceNumber.max(sentEnd - maximumSegment, space.unacknowledged)
        let limit = max(sentEnd - last, 0)
        guard let choice = resend(from: last, limit: limit, optionsLength: optionsLength, now: now, counters: &counters)
        else { return nil }
        timers.tailProbeStart = last
        return choice
    }

    /// Sends again up to `limit` bytes from `start` (with the FIN if they reach it).
    private mutating func resend(
        from start: TCPSequenceNumber, limit: Int, optionsLength: Int, now: Instant, counters: inout StackCounters
    ) -> TCPSendChoice? {
        let offset = start - space.base
        let available = space.buffer.count - offset
        guard offset >= 0, available >= 0 else { return nil }
        let length = min(available, limit)
        let fin = space.finSent && length == available
        guard length > 0 || fin else { return nil }
        counters.tcp.retransmittedSegments &+= 1
        timers.estimator.cancelTiming()
        let choice = emit(
            sequence: start, flags: fin ? .fin : [], bufferOffset: offset, length: length, optionsLength: optionsLength,
            now: now)
        recovery.noteResent(upTo: start + choice.length, highestSent: space.maximum)
        return choice
    }

    /// New data (and the FIN after it) as far as the windows, Nagle and SWS allow; after a
    /// timeout, the go-back-N resend of what the peer has not SACKed. A tail loss probe
    /// (`probing`) may send one segment beyond the congestion window.
    mutating func newData(
        _ agreed: TCPNegotiatedOptions, optionsLength: Int, now: Instant, counters: inout StackCounters,
        probing: Bool = false
    ) -> TCPSendChoice? {
        let resending = space.next.isBefore(space.maximum)
        var sackedAhead: TCPSequenceNumber?
        if resending, agreed.sackEnabled {
            // RFC 6675 §5.1: after a timeout, bytes the peer SACKed are not sent again.
            if let end = recovery.scoreboard.sackedRangeEnd(containing: space.next) { space.next = end }
            sackedAhead = recovery.scoreboard.nextSACKedStart(after: space.next)
        }
        let offset = space.next - space.base
        let unsent = space.buffer.count - offset
        guard offset >= 0, unsent >= 0 else { return nil }
        let finDue = space.finQueued && space.next == space.finSequence
        guard unsent > 0 || finDue else { return nil }
        let inFlight = space.bytesInFlight
        let congestionRoom =
            probing
            ? maximumSegment
            : recovery.congestionRoom(
                inFlight: inFlight, unacknowledged: space.unacknowledged, next: space.next,
                sackEnabled: agreed.sackEnabled, maximumSegment: maximumSegment)
        let cap = sackedAhead.flatMap { space.maximum.isAfter($0) ? max($0 - space.next, 0) : nil }
        let length = space.sendableLength(
            unsent: unsent, maximumSegment: maximumSegment, congestionRoom: congestionRoom, cap: cap,
            resending: resending, probing: probing, noDelay: noDelay)
        let fin = space.finQueued && length == unsent
        guard length > 0 || fin else { return nil }
        if resending { counters.tcp.retransmittedSegments &+= 1 }
        if inFlight == 0, now - lastSent > timers.timeout { recovery.congestion.onIdle(now: now) }
        if !agreed.timestampsEnabled, length > 0, space.next == space.maximum {
            timers.estimator.time(space.next, sentAt: now)
        }
        var flags: TCPFlags = fin ? .fin : []
        if length > 0, offset + length == space.buffer.count { flags.insert(.psh) }
        let choice = emit(
            sequence: space.next, flags: flags, bufferOffset: offset, length: length, optionsLength: optionsLength,
            now: now)
        space.next += choice.length + (choice.flags.contains(.fin) ? 1 : 0)
        if space.maximum.isBefore(space.next) { space.maximum = space.next }
        if !probing { armTailLossProbe(agreed, open: true, now: now) }
        return choice
    }

    /// Arms the tail loss probe while data is in flight, all sent once, outside recovery, with
    /// SACK on an `open` connection (synchronized, not in TIME_WAIT).
    mutating func armTailLossProbe(_ agreed: TCPNegotiatedOptions, open: Bool, now: Instant) {
        let eligible =
            agreed.sackEnabled && !recovery.inRecovery && space.next == space.maximum && space.hasOutstanding && open
        timers.armTailLossProbe(
            eligible: eligible, bytesInFlight: space.bytesInFlight, maximumSegment: maximumSegment, now: now)
    }

    /// Runs the persist timer while the peer's window holds data back on a synchronized
    /// connection with nothing in flight; stops it otherwise.
    mutating func updatePersistTimer(synchronized: Bool, now: Instant) {
        let needed = space.windowHoldsBack(maximumSegment: maximumSegment) && synchronized
        persist.update(needed: needed, timeout: timers.timeout, now: now)
    }

    /// Stops the retransmission and persist timers (nothing more is sent).
    mutating func stopRetransmitting() {
        timers.retransmitDeadline = nil
        persist.deadline = nil
    }
}
