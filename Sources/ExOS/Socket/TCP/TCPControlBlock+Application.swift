// The application's calls as they change a connection: shutting down the sending side
// (RFC 9293 §3.10.4, CLOSE), aborting (§3.10.5), and the window update owed after a read.

extension TCPControlBlock {
    /// Queues the FIN after the buffered bytes and moves to the state that waits for it.
    mutating func shutdownWrite() -> TCPOutcome {
        guard !finQueued else { return [] }
        switch state {
        case .synSent:
            // Nothing was exchanged yet: the connection just goes.
            state = .closed
            return .closed
        case .synReceived, .established:
            finQueued = true
            state = .finWait1
        case .closeWait:
            finQueued = true
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
            retransmitDeadline = nil
            persistDeadline = nil
            keepAliveDeadline = nil
            ackDeadline = nil
            resetPending = true
            return .transmit
        }
    }

    /// After the application read: true when the window grew enough since it was last
    /// advertised to be worth a window update (RFC 9293 §3.8.6.2.2's receiver SWS rule: by
    /// at least one segment, or half the buffer).
    mutating func windowOpened() -> Bool {
        guard state.receivesData else { return false }
        let advertised = max(advertisedEdge - receiveNext, 0)
        let growth = receiveWindow - advertised
        guard growth >= min(offeredSegment, receiveBuffer.capacity / 2) else { return false }
        // Only worth an ACK of its own when the peer may be waiting on the window.
        guard advertised < receiveBuffer.capacity / 2 else { return false }
        ackNow = true
        return true
    }
}
