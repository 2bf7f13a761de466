// Segment arrival (RFC 9293 §3.10.7) for a connection that exists: SYN-SENT's handshake
// checks, then for every other state the sequence check (with PAWS, RFC 7323 §5), RST and SYN
// per RFC 5961 (challenge ACKs instead of trusting blind resets), the ACK, the data and the FIN.

import ExoPacket

/// What the stack must do after a connection took a segment or a timer.
struct TCPOutcome: OptionSet {
    let rawValue: UInt8
    /// Data, the end of stream or an error waits for the reader.
    static let readable = TCPOutcome(rawValue: 1 << 0)
    /// Send space freed, the connection opened, or an error waits for the writer.
    static let writable = TCPOutcome(rawValue: 1 << 1)
    /// The connection just reached ESTABLISHED (a passive one goes to its accept queue).
    static let established = TCPOutcome(rawValue: 1 << 2)
    /// The connection is CLOSED: remove it (after the segments still owed, if any).
    static let closed = TCPOutcome(rawValue: 1 << 3)
    /// Answer the segment with a reset built from it alone (RFC 9293 §3.10.7.1).
    static let resetReply = TCPOutcome(rawValue: 1 << 4)
    /// The connection has something to send.
    static let transmit = TCPOutcome(rawValue: 1 << 5)
}

extension TCPControlBlock {
    /// Takes one segment (already checksummed, addressed to this connection) at `now`.
    mutating func receive(
        _ segment: TCPRepr, payload: PacketBytes, now: Instant, counters: inout StackCounters
    ) -> TCPOutcome {
        lastReceived = now
        keepAliveProbesSent = 0
        switch state {
        case .closed: return .resetReply
        case .synSent: return receiveInSynSent(segment, now: now, counters: &counters)
        default: return receiveSynchronized(segment, payload: payload, now: now, counters: &counters)
        }
    }

    // MARK: SYN-SENT (RFC 9293 §3.10.7.3)

    private mutating func receiveInSynSent(_ segment: TCPRepr, now: Instant, counters: inout StackCounters)
        -> TCPOutcome
    {
        let flags = segment.flags
        let ack = segment.acknowledgementNumber
        if flags.contains(.ack) {
            guard ack.isAfter(initialSendSequence), !ack.isAfter(sendNext) else {
                counters.count(.tcpBadAck)
                return flags.contains(.rst) ? [] : .resetReply
            }
        }
        if flags.contains(.rst) {
            guard flags.contains(.ack) else {
                counters.count(.tcpBadReset)
                return []
            }
            error = .refused
            state = .closed
            return [.closed, .readable, .writable]
        }
        guard flags.contains(.syn) else {
            counters.count(.tcpUnexpectedSegment)
            return []
        }
        initialReceiveSequence = segment.sequenceNumber
        receiveNext = segment.sequenceNumber + 1
        advertisedEdge = receiveNext
        negotiate(segment.options, now: now)
        if flags.contains(.ack) {
            sendUnacknowledged = ack
            if sendNext.isBefore(ack) { sendNext = ack }
            // RFC 7323 §2.2: the window of a SYN is never scaled.
            updateWindow(segment, scaled: false)
            state = .established
            sampleRTT(segment, acknowledged: ack, now: now)
            retransmissions = 0
            retransmitDeadline = nil
            ackNow = true
            return [.writable, .established, .transmit]
        }
        // Simultaneous open (RFC 9293 §3.5): answer with a SYN-ACK of the same ISN.
        state = .synReceived
        synPending = true
        sendNext = initialSendSequence
        return .transmit
    }

    /// Adopts the options of the peer's SYN (or SYN-ACK): each is used only when both
    /// sides sent it (we always offer all of them).
    mutating func negotiate(_ peer: TCPOptions, now: Instant) {
        if let mss = peer.maximumSegmentSize, mss > 0 { maximumSegment = min(Int(mss), offeredSegment) }
        peerSegment = max(maximumSegment, 64)
        if let shift = peer.windowScale {
            windowScalingEnabled = true
            sendScale = min(shift, 14)
        } else {
            receiveScale = 0
        }
        sackEnabled = peer.sackPermitted
        if let timestamps = peer.timestamps {
            timestampsEnabled = true
            recentTimestamp = timestamps.value
            recentTimestampTime = now
            // RFC 7323 §3.2: TSopt takes 12 bytes of every segment's room for data.
            maximumSegment -= 12
        }
        maximumSegment = max(maximumSegment, 64)
        congestion.setMaximumSegmentSize(maximumSegment)
    }

    // MARK: Every other state (RFC 9293 §3.10.7.4)

    private mutating func receiveSynchronized(
        _ segment: TCPRepr, payload: PacketBytes, now: Instant, counters: inout StackCounters
    ) -> TCPOutcome {
        let flags = segment.flags
        // PAWS (RFC 7323 §5.3): an older timestamp than the last in-order one is a stale
        // duplicate from a wrapped sequence space, unless TS.Recent is over 24 days old.
        if timestampsEnabled, !flags.contains(.rst), let timestamps = segment.options.timestamps,
            Int32(bitPattern: timestamps.value &- recentTimestamp) < 0,
            now - recentTimestampTime < .seconds(24 * 86_400)
        {
            counters.count(.tcpPAWSRejected)
            ackNow = true
            return .transmit
        }
        guard isAcceptable(segment, payloadLength: payload.count) else {
            counters.count(.tcpOutOfWindow)
            if flags.contains(.rst) { return [] }
            if state == .timeWait, flags.contains(.fin), segment.sequenceNumber + payload.count + 1 == receiveNext {
                // The peer's FIN again (our ACK was lost; it lies just below the window):
                // acknowledged, and TIME_WAIT's 2·MSL starts over (RFC 9293 §3.10.7.4).
                timeWaitDeadline = now + limits.tcpTimeWait
            }
            ackNow = true
            return .transmit
        }
        if flags.contains(.rst) { return receiveReset(segment, now: now, counters: &counters) }
        if flags.contains(.syn) {
            if state == .synReceived, segment.sequenceNumber == initialReceiveSequence {
                // The peer did not hear our SYN-ACK: send it again.
                synPending = true
                return .transmit
            }
            // RFC 5961 §4: a SYN in a synchronized state gets a challenge ACK, not a reset.
            return challenge(now: now, counters: &counters)
        }
        guard flags.contains(.ack) else {
            counters.count(.tcpUnexpectedSegment)
            return []
        }
        var outcome: TCPOutcome = []
        if state == .synReceived {
            let ack = segment.acknowledgementNumber
            guard ack.isAfter(sendUnacknowledged), !ack.isAfter(sendMaximum) else {
                counters.count(.tcpBadAck)
                return .resetReply
            }
            state = .established
            sendWindowSequence = segment.sequenceNumber
            sendWindowAcknowledgement = ack
            sendWindow = Int(segment.window) << Int(sendScale)
            largestSendWindow = max(largestSendWindow, sendWindow)
            outcome.formUnion([.established, .writable])
        }
        guard let ackOutcome = receiveAcknowledgement(segment, payloadLength: payload.count, now: now, counters: &counters)
        else { return outcome.union(.transmit) }
        outcome.formUnion(ackOutcome)
        if state == .closed || state == .timeWait && !flags.contains(.fin) { return outcome }
        if flags.contains(.urg) { counters.tcp.urgentIgnored &+= 1 }
        outcome.formUnion(receiveText(segment, payload: payload, now: now, counters: &counters))
        return outcome
    }

    /// RFC 9293's acceptability test, against the window the peer was told: what we can
    /// hold now, or up to the right edge we advertised when that is further (the window
    /// field is rounded up to keep the edge, so the peer may rightly send a little past the
    /// free space: such a segment is acceptable and its ACK counts; its excess bytes are
    /// trimmed). Judged against the free space alone, a peer's ACKs sent after a small
    /// in-window segment would all be refused, and the connection would stall.
    @inline(__always)  // outlined, a non-mutating call copies the control block first
    private func isAcceptable(_ segment: TCPRepr, payloadLength: Int) -> Bool {
        var length = payloadLength
        if segment.flags.contains(.syn) { length += 1 }
        if segment.flags.contains(.fin) { length += 1 }
        let window = max(receiveWindow, advertisedEdge - receiveNext)
        let start = segment.sequenceNumber
        if length == 0 {
            // Up to and including the right edge, as Linux judges: a peer that filled the
            // window exactly sends its ACKs at the edge.
            return start.isWithin(receiveNext, length: window + 1)
        }
        // A zero window still takes ACKs and RSTs at RCV.NXT (RFC 9293 §3.10.7.4); the data
        // is trimmed away later.
        if window == 0 { return start == receiveNext }
        return start.isWithin(receiveNext, length: window) || (start + (length - 1)).isWithin(receiveNext, length: window)
    }

    /// RFC 5961 §3.2: only a reset at exactly RCV.NXT is believed; another in the window
    /// gets a challenge ACK (a genuine peer answers it with a reset at RCV.NXT).
    private mutating func receiveReset(_ segment: TCPRepr, now: Instant, counters: inout StackCounters) -> TCPOutcome {
        guard segment.sequenceNumber == receiveNext else { return challenge(now: now, counters: &counters) }
        counters.tcp.resetsReceived &+= 1
        let wasPassiveOpen = state == .synReceived && listener != nil
        switch state {
        case .synReceived: error = wasPassiveOpen ? nil : .refused
        case .established, .finWait1, .finWait2, .closeWait: error = .connectionReset
        default: break
        }
        state = .closed
        return [.closed, .readable, .writable]
    }

    /// Answers a suspicious RST, SYN or ACK with an ACK (RFC 5961), at most one per
    /// `tcpChallengeAckInterval`: a blind attacker sending many cannot make the connection
    /// amplify them, and a genuine peer's answer to the first one is enough.
    mutating func challenge(now: Instant, counters: inout StackCounters) -> TCPOutcome {
        if let last = lastChallengeAck, now < last + limits.tcpChallengeAckInterval {
            counters.tcp.challengeAcksLimited &+= 1
            return []
        }
        lastChallengeAck = now
        counters.tcp.challengeAcks &+= 1
        ackNow = true
        return .transmit
    }
}
