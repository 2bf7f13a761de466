// What a connection sends next, one segment per call: a reset it owes, its SYN or SYN-ACK,
// a retransmission (fast retransmit, partial ACKs, SACK holes per RFC 6675), a window or
// keep-alive probe, new data within the peer's and the congestion window (Nagle and the
// sender's silly-window rule, RFC 9293 §3.8.6.2.1), a FIN, or the ACK it owes. The stack
// copies the payload from the send buffer into the device's frame.

import ExoPacket

/// One segment to send: its header, and where its payload lies in the send buffer.
struct TCPSegmentPlan {
    var header: TCPRepr
    /// Offset of the first payload byte from the send buffer's head.
    var bufferOffset: Int
}

extension TCPControlBlock {
    /// The next segment to send at `now`, or nil when nothing is owed.
    mutating func nextSegment(now: Instant, counters: inout StackCounters) -> TCPSegmentPlan? {
        if resetPending {
            resetPending = false
            counters.tcp.resetsSent &+= 1
            let reset = makeSegment(sequence: sendNext, flags: .rst, now: now)
            state = .closed
            return reset
        }
        switch state {
        case .closed:
            return nil
        case .synSent:
            return synPending ? synSegment(now: now) : nil
        case .synReceived:
            return synPending ? synSegment(now: now) : owedAcknowledgement(now: now)
        case .timeWait:
            return owedAcknowledgement(now: now)
        default:
            break
        }
        // RFC 6675 NextSeg: lost holes first (rule 1), then new data (rule 2), then holes not
        // yet deemed lost (rule 3) only when there is no new data to send.
        if let retransmission = retransmission(onlyLost: true, now: now, counters: &counters) { return retransmission }
        if tailProbeNow, let probe = tailLossProbe(now: now, counters: &counters) { return probe }
        if probeNow || keepAliveNow {
            // A segment just below SND.UNA: out of window for the peer, which answers with
            // an ACK carrying its current window (as Linux probes).
            probeNow = false
            keepAliveNow = false
            return makeSegment(sequence: sendUnacknowledged - 1, flags: [], now: now)
        }
        if let data = newData(now: now, counters: &counters) { return data }
        if let retransmission = retransmission(onlyLost: false, now: now, counters: &counters) { return retransmission }
        return owedAcknowledgement(now: now)
    }

    /// RFC 8985 §7.3: one segment of new data if the peer's window allows, else the last
    /// segment sent again, so that an ACK (with SACK) tells what the tail of the flight did.
    private mutating func tailLossProbe(now: Instant, counters: inout StackCounters) -> TCPSegmentPlan? {
        tailProbeNow = false
        guard !inRecovery, sendMaximum.isAfter(sendUnacknowledged) else { return nil }
        let start = sendNext
        if let data = newData(now: now, counters: &counters, probing: true) {
            tailProbeStart = start
            return data
        }
        // The last segment sent: up to one MSS before the highest byte sent (and its FIN).
        let sentEnd = finSent ? finSequence : sendMaximum
        let last = TCPSequenceNumber.max(sentEnd - maximumSegment, sendUnacknowledged)
        guard let plan = resend(from: last, limit: max(sentEnd - last, 0), now: now, counters: &counters) else {
            return nil
        }
        tailProbeStart = last
        return plan
    }

    /// Our SYN (SYN-SENT) or SYN-ACK (SYN-RECEIVED), with the options to negotiate.
    private mutating func synSegment(now: Instant) -> TCPSegmentPlan {
        synPending = false
        var options = TCPOptions()
        options.maximumSegmentSize = UInt16(clamping: offeredSegment)
        let active = state == .synSent
        if active || windowScalingEnabled { options.windowScale = receiveScale }
        options.sackPermitted = active || sackEnabled
        if active || timestampsEnabled {
            options.timestamps = TCPTimestamps(value: timestampClock(now), echoReply: active ? 0 : recentTimestamp)
        }
        if sendMaximum != initialSendSequence { rttProbe = nil }
        if rttProbe == nil, sendMaximum == initialSendSequence { rttProbe = (initialSendSequence, now) }
        return makeSegment(sequence: initialSendSequence, flags: active ? .syn : [.syn, .ack], options: options, now: now)
    }

    /// A retransmission owed by fast retransmit or a partial ACK, or (SACK recovery) the next
    /// hole while the pipe leaves room.
    private mutating func retransmission(onlyLost: Bool, now: Instant, counters: inout StackCounters)
        -> TCPSegmentPlan?
    {
        let start: TCPSequenceNumber
        var limit = maximumSegment
        if retransmitFirst {
            retransmitFirst = false
            start = sendUnacknowledged
        } else if inRecovery, sackEnabled,
            pipe + maximumSegment <= congestion.window,
            let hole = scoreboard.nextHoleToRetransmit(
                unacknowledged: sendUnacknowledged, highestRetransmitted: highestRetransmitted, next: sendNext,
                maximumSegmentSize: maximumSegment, onlyLost: onlyLost, lostBelow: lostBelow)
        {
            start = hole.start
            limit = hole.length
        } else {
            return nil
        }
        return resend(from: start, limit: limit, now: now, counters: &counters)
    }

    /// Sends again up to `limit` bytes from `start` (with the FIN if they reach it).
    private mutating func resend(from start: TCPSequenceNumber, limit: Int, now: Instant, counters: inout StackCounters)
        -> TCPSegmentPlan?
    {
        let offset = start - sendBase
        let available = sendBuffer.count - offset
        guard offset >= 0, available >= 0 else { return nil }
        let length = min(available, limit)
        let fin = finSent && length == available
        guard length > 0 || fin else { return nil }
        counters.tcp.retransmittedSegments &+= 1
        rttProbe = nil
        let plan = makeSegment(sequence: start, flags: fin ? .fin : [], bufferOffset: offset, length: length, now: now)
        let end = start + plan.header.payloadLength
        if highestRetransmitted.isBefore(end) { highestRetransmitted = end }
        retransmitMark = sendMaximum
        return plan
    }

    /// RFC 6675's pipe during SACK recovery.
    private var pipe: Int {
        scoreboard.pipe(
            unacknowledged: sendUnacknowledged, next: sendNext, highestRetransmitted: highestRetransmitted,
            maximumSegmentSize: maximumSegment, lostBelow: lostBelow)
    }

    /// New data (and the FIN after it) as far as both windows, Nagle and SWS allow; after a
    /// timeout, the go-back-N resend of what the peer has not SACKed. A tail loss probe
    /// (`probing`) may send one segment beyond the congestion window.
    private mutating func newData(now: Instant, counters: inout StackCounters, probing: Bool = false)
        -> TCPSegmentPlan?
    {
        let resending = sendNext.isBefore(sendMaximum)
        var sackedAhead: TCPSequenceNumber?
        if resending, sackEnabled {
            // RFC 6675 §5.1: after a timeout, bytes the peer SACKed are not sent again.
            if let end = scoreboard.sackedRangeEnd(containing: sendNext) { sendNext = end }
            sackedAhead = scoreboard.nextSACKedStart(after: sendNext)
        }
        let offset = sendNext - sendBase
        let unsent = sendBuffer.count - offset
        guard offset >= 0, unsent >= 0 else { return nil }
        let finDue = finQueued && sendNext == finSequence
        guard unsent > 0 || finDue else { return nil }
        let receiverRoom = sendWindow - bytesInFlight
        let congestionRoom =
            probing
            ? maximumSegment
            : inRecovery && sackEnabled
                ? congestion.window - pipe : congestion.window + recoveryInflation - bytesInFlight
        var length = min(unsent, maximumSegment, max(min(receiverRoom, congestionRoom), 0))
        if let sackedAhead, sendMaximum.isAfter(sackedAhead) { length = min(length, max(sackedAhead - sendNext, 0)) }
        if resending {
            // Bytes sent before: neither silly-window avoidance nor Nagle holds them back.
        } else if length < unsent, length < maximumSegment {
            // Sender SWS avoidance: no runt segments while an ACK (and a window update) is
            // coming, unless half the largest window the peer offered fits. With nothing in
            // flight no ACK is coming: the runt goes (RFC 9293's override, at once), or the
            // connection would wait forever on a small window.
            let halfWindow = largestSendWindow / 2
            let worthIt = length > 0 && halfWindow > 0 && length >= halfWindow
            if !worthIt && bytesInFlight > 0 { length = 0 }
        }
        if !resending, !probing, length == unsent, length < maximumSegment, length > 0, !options.noDelay, !finQueued,
            bytesInFlight > 0
        {
            // Nagle (RFC 1122 §4.2.3.4): one small segment in flight at a time.
            length = 0
        }
        let fin = finQueued && length == unsent
        guard length > 0 || fin else { return nil }
        if resending { counters.tcp.retransmittedSegments &+= 1 }
        if bytesInFlight == 0, now - lastSent > rtt.timeout { congestion.onIdle(now: now) }
        if rttProbe == nil, !timestampsEnabled, length > 0, sendNext == sendMaximum { rttProbe = (sendNext, now) }
        var flags: TCPFlags = fin ? .fin : []
        if length > 0, offset + length == sendBuffer.count { flags.insert(.psh) }
        let plan = makeSegment(sequence: sendNext, flags: flags, bufferOffset: offset, length: length, now: now)
        sendNext += plan.header.payloadLength + (plan.header.flags.contains(.fin) ? 1 : 0)
        if sendMaximum.isBefore(sendNext) { sendMaximum = sendNext }
        if !probing { armTailLossProbe(now: now) }
        return plan
    }

    /// The ACK we owe, now or (delayed) once its deadline passed.
    private mutating func owedAcknowledgement(now: Instant) -> TCPSegmentPlan? {
        guard ackNow || (ackPending && ackDeadline.map { $0 <= now } ?? true) else { return nil }
        return makeSegment(sequence: sendNext, flags: [], now: now)
    }

    /// Builds a segment's header and does the bookkeeping every sent segment shares: the ACK
    /// it carries, the window it advertises, the retransmission timer, the highest number sent.
    private mutating func makeSegment(
        sequence: TCPSequenceNumber, flags requested: TCPFlags, options preset: TCPOptions? = nil,
        bufferOffset: Int = 0, length requestedLength: Int = 0, now: Instant
    ) -> TCPSegmentPlan {
        var flags = requested
        // Every segment but the first SYN carries an ACK (RFC 9293 §3.10.7).
        if state == .synSent { flags.remove(.ack) } else { flags.insert(.ack) }
        var options = preset ?? TCPOptions()
        if preset == nil, timestampsEnabled, !flags.contains(.rst) {
            options.timestamps = TCPTimestamps(value: timestampClock(now), echoReply: recentTimestamp)
        }
        if preset == nil, sackEnabled, flags.contains(.ack), !assembler.isEmpty {
            let base = receiveNext
            let limit = timestampsEnabled ? 3 : 4
            assembler.forEachSACKRange(limit: limit) { start, end in
                _ = options.sackBlocks.append(TCPSACKBlock(start: base + start, end: base + end))
            }
        }
        // RFC 6691: options and payload together within the peer's MSS. SACK blocks can make
        // the options larger than the timestamps `maximumSegment` allows for: send less.
        var length = requestedLength
        let room = peerSegment - options.encodedLength
        if length > room {
            length = max(room, 0)
            flags.remove(.fin)
            flags.remove(.psh)
        }
        let window = windowField(synchronizing: flags.contains(.syn))
        if flags.contains(.ack) {
            ackPending = false
            ackNow = false
            ackDeadline = nil
            segmentsSinceAck = 0
            let scale = flags.contains(.syn) ? 0 : Int(receiveScale)
            let edge = receiveNext + (Int(window) << scale)
            if advertisedEdge.isBefore(edge) { advertisedEdge = edge }
        }
        let consumed = length + (flags.contains(.syn) ? 1 : 0) + (flags.contains(.fin) ? 1 : 0)
        if consumed > 0 {
            let end = sequence + consumed
            if sendMaximum.isBefore(end) { sendMaximum = end }
            if sendNext.isBefore(end), flags.contains(.syn) { sendNext = end }
            if retransmitDeadline == nil { retransmitDeadline = now + rtt.timeout }
        }
        lastSent = now
        let header = TCPRepr(
            sourcePort: local.port, destinationPort: remote.port, sequenceNumber: sequence,
            acknowledgementNumber: flags.contains(.ack) ? receiveNext : TCPSequenceNumber(0), flags: flags,
            window: window, options: options, payloadLength: length)
        return TCPSegmentPlan(header: header, bufferOffset: bufferOffset)
    }

    /// The window field: the free receive space, scaled (never scaled on a SYN), and never
    /// less than what keeps the advertised right edge where it was.
    ///
    /// Mutating only to take `self` by address: the optimizer keeps this call outlined even
    /// when asked to inline it, and an outlined non-mutating call gets the kilobyte-sized
    /// block by a copy made first (see `TCPControlBlock`'s derived values). It changes nothing.
    private mutating func windowField(synchronizing: Bool) -> UInt16 {
        let scale = synchronizing ? 0 : Int(receiveScale)
        // Receiver silly window avoidance (RFC 9293 §3.8.6.2.2): free space below a segment
        // (or half the buffer) is not offered until the application makes it bigger.
        let free = receiveWindow
        var window = (free >= min(offeredSegment, receiveBuffer.capacity / 2) ? free : 0) >> scale
        let promised = advertisedEdge - receiveNext
        if promised > 0 { window = max(window, (promised + (1 << scale) - 1) >> scale) }
        return UInt16(clamping: window)
    }
}
