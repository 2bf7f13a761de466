// The data and FIN of an arriving segment (RFC 9293 §3.10.7.4 "seventh" and "eighth"):
// trimmed to the window, written in order into the receive ring or, ahead of a hole, past its
// tail with the assembler keeping the ranges; TS.Recent updated (RFC 7323 §4.3); ACKs owed at
// once or delayed (every second full segment, RFC 1122 §4.2.3.2's bounds).

import ExoPacket

extension TCPControlBlock {
    mutating func receiveText(
        _ segment: TCPRepr, payload: PacketBytes, now: Instant, counters: inout StackCounters
    ) -> TCPOutcome {
        var outcome: TCPOutcome = []
        let flags = segment.flags
        // RFC 7323 §4.3: remember the timestamp of a segment that covers our last ACK point.
        if timestampsEnabled, let timestamps = segment.options.timestamps,
            !segment.sequenceNumber.isAfter(receiveNext),
            Int32(bitPattern: timestamps.value &- recentTimestamp) >= 0
        {
            recentTimestamp = timestamps.value
            recentTimestampTime = now
        }
        var start = segment.sequenceNumber
        var data = payload
        if data.count > 0 {
            if state.receivesData {
                if start.isBefore(receiveNext) {
                    let old = min(receiveNext - start, data.count)
                    data = data.dropFirst(old)
                    start = start + old
                }
                let offset = start - receiveNext
                let room = max(receiveWindow - offset, 0)
                if data.count > room {
                    counters.count(.tcpBeyondWindow)
                    data = data.prefix(room)
                }
                if orphaned, data.count > 0 {
                    // Nobody will read it: tell the peer (RFC 9293 §3.10.4, as Linux does).
                    resetPending = true
                    return .transmit
                }
                outcome.formUnion(acceptData(data, offset: offset, fullSized: payload.count >= maximumSegment, now: now, counters: &counters))
            } else {
                // Data after the peer's FIN (or before the handshake ended): ignored, acked.
                counters.count(.tcpUnexpectedSegment)
                ackNow = true
                outcome.insert(.transmit)
            }
        }
        if flags.contains(.fin) {
            let finNumber = segment.sequenceNumber + payload.count
            if finNumber == receiveNext {
                outcome.formUnion(acceptFin(now: now))
            } else if finNumber.isAfter(receiveNext), finNumber.isWithin(receiveNext, length: receiveWindow + 1) {
                pendingFin = finNumber
                ackNow = true
                outcome.insert(.transmit)
            } else if state == .timeWait || state == .closeWait || state == .lastAck || state == .closing {
                // A retransmitted FIN: our ACK was lost. TIME_WAIT restarts (RFC 9293 §3.10.7.4).
                if state == .timeWait { timeWaitDeadline = now + limits.tcpTimeWait }
                ackNow = true
                outcome.insert(.transmit)
            }
        }
        return outcome
    }

    /// Writes in-window data at `offset` past RCV.NXT and schedules the ACK.
    private mutating func acceptData(
        _ data: PacketBytes, offset: Int, fullSized: Bool, now: Instant, counters: inout StackCounters
    ) -> TCPOutcome {
        guard data.count > 0 else {
            ackNow = true
            return .transmit
        }
        if offset > 0 {
            guard assembler.insert(offset: offset, length: data.count) else {
                counters.count(.tcpOutOfOrderFull)
                ackNow = true
                return .transmit
            }
            _ = receiveBuffer.write(data, at: offset)
            counters.tcp.outOfOrderSegments &+= 1
            // An ACK at once tells the sender about the hole (RFC 5681 §4.2).
            ackNow = true
            return .transmit
        }
        let filledHole = !assembler.isEmpty
        _ = receiveBuffer.write(data, at: 0)
        let following = assembler.advance(by: data.count)
        receiveBuffer.commit(data.count + following)
        receiveNext += data.count + following
        counters.tcp.bytesReceived &+= UInt64(data.count + following)
        if let fin = pendingFin, fin == receiveNext {
            pendingFin = nil
            return acceptFin(now: now).union(.readable)
        }
        if fullSized { segmentsSinceAck += 1 }
        if filledHole || segmentsSinceAck >= 2 {
            ackNow = true
            return [.readable, .transmit]
        }
        ackPending = true
        if ackDeadline == nil { ackDeadline = now + limits.tcpDelayedAck }
        return .readable
    }

    /// The peer's FIN in order: the end of its stream (RFC 9293 §3.10.7.4 "eighth").
    private mutating func acceptFin(now: Instant) -> TCPOutcome {
        guard !finReceived else { return [] }
        finReceived = true
        receiveNext += 1
        ackNow = true
        switch state {
        case .synReceived, .established:
            state = .closeWait
        case .finWait1:
            if finAcknowledged {
                enterTimeWait(now: now)
            } else {
                state = .closing
            }
        case .finWait2:
            enterTimeWait(now: now)
        default:
            break
        }
        return [.readable, .transmit]
    }
}
