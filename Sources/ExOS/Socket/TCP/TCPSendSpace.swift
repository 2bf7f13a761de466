// The send sequence space (RFC 9293 §3.3.1) and the bytes behind it: SND.UNA, SND.NXT, the
// highest number sent, the peer's window, and the send ring whose first byte is numbered
// `base`. It keeps SND.UNA ≤ SND.NXT ≤ SND.MAX (modulo 2³²), and the ring holding exactly
// the written bytes the peer has not acknowledged.

import ExoPacket

struct TCPSendSpace {
    /// Our initial sequence number (ISS): the SYN's.
    let initial: TCPSequenceNumber
    /// Oldest unacknowledged number (SND.UNA).
    private(set) var unacknowledged: TCPSequenceNumber
    /// Next number to send (SND.NXT); rewound to SND.UNA by a retransmission timeout.
    var next: TCPSequenceNumber
    /// Highest number sent so far plus one (never rewound).
    var maximum: TCPSequenceNumber
    /// The peer's window, scaled (SND.WND), and the segment that last set it (SND.WL1/WL2).
    private(set) var window = 0
    private var windowSequence = TCPSequenceNumber(0)
    private var windowAcknowledgement = TCPSequenceNumber(0)
    /// Largest window the peer ever offered (sender-side silly window avoidance).
    private(set) var largestWindow = 0
    /// The bytes written and not yet acknowledged; its first byte has number `base`.
    var buffer: ByteRing
    private(set) var base: TCPSequenceNumber
    /// The application shut down its direction: a FIN follows the buffered bytes.
    var finQueued = false
    /// The SYN (or SYN-ACK) is to be sent (at open and after a timeout).
    var synPending = false

    init(initial: TCPSequenceNumber, bufferSize: Int) {
        self.initial = initial
        unacknowledged = initial
        next = initial
        maximum = initial
        base = initial + 1
        buffer = ByteRing(capacity: max(bufferSize, 1))
    }

    /// Bytes sent and not yet acknowledged (FlightSize, counting SYN and FIN).
    @inline(__always) var bytesInFlight: Int { max(next - unacknowledged, 0) }

    /// Buffered bytes from SND.NXT on (not sent, or to be sent again after a timeout).
    @inline(__always) var unsent: Int { buffer.count - (next - base) }

    /// Something sent is not acknowledged yet.
    @inline(__always) var hasOutstanding: Bool { maximum.isAfter(unacknowledged) }

    /// The number the FIN takes (after every buffered byte), once queued.
    @inline(__always) var finSequence: TCPSequenceNumber { base + buffer.count }

    /// True once our FIN has been sent at least once.
    @inline(__always) var finSent: Bool { finQueued && !maximum.isBefore(finSequence + 1) }

    /// True once the peer acknowledged our FIN.
    @inline(__always) var finAcknowledged: Bool { finQueued && !unacknowledged.isBefore(finSequence + 1) }

    /// Bytes or a FIN the peer has not acknowledged yet.
    @inline(__always) var awaitsAcknowledgement: Bool { buffer.count > 0 || (finQueued && !finAcknowledged) }

    /// The peer acknowledged everything before `ack` (after SND.UNA, not after SND.MAX):
    /// frees those bytes of the ring. Returns how many bytes left it.
    mutating func acknowledge(upTo ack: TCPSequenceNumber) -> Int {
        let freed = min(max(ack - base, 0), buffer.count)
        buffer.discard(freed)
        base += freed
        unacknowledged = ack
        if next.isBefore(ack) { next = ack }
        return freed
    }

    /// The peer's SYN-ACK acknowledged our SYN (SYN-SENT): SND.UNA moves to `ack`.
    mutating func synchronize(acknowledged ack: TCPSequenceNumber) {
        unacknowledged = ack
        if next.isBefore(ack) { next = ack }
    }

    /// A connection a SYN cookie recreated: our SYN-ACK went long ago, SND.NXT is `next`.
    mutating func resume(at next: TCPSequenceNumber) {
        self.next = next
        maximum = next
    }

    /// RFC 9293's window update rule: only a segment newer than the one that last set the
    /// window may change it (any segment does with `force`, in SYN-SENT). The field is
    /// shifted by `shift`. Returns true when it changed the window.
    @discardableResult
    mutating func updateWindow(_ segment: TCPRepr, shift: UInt8, force: Bool = false) -> Bool {
        let sequence = segment.sequenceNumber
        let ack = segment.acknowledgementNumber
        let newer =
            windowSequence.isBefore(sequence) || (windowSequence == sequence && !ack.isBefore(windowAcknowledgement))
        guard newer || force else { return false }
        window = Int(segment.window) << Int(shift)
        windowSequence = sequence
        windowAcknowledgement = ack
        largestWindow = max(largestWindow, window)
        return true
    }

    /// Records a segment that took `consumed` numbers from `sequence` (SYN and FIN count one).
    mutating func noteSent(from sequence: TCPSequenceNumber, consumed: Int, synchronizing: Bool) {
        let end = sequence + consumed
        if maximum.isBefore(end) { maximum = end }
        if next.isBefore(end), synchronizing { next = end }
    }

    /// How many of the `unsent` bytes at SND.NXT may go in one segment now: within the
    /// peer's window, `congestionRoom` and `cap`; bytes never sent before (not `resending`)
    /// also by the sender's silly-window rule (RFC 9293 §3.8.6.2.1) and, unless `probing`
    /// or `noDelay`, Nagle's (RFC 1122 §4.2.3.4). 0: nothing may go.
    @inline(__always) func sendableLength(
        unsent: Int, maximumSegment: Int, congestionRoom: Int, cap: Int?, resending: Bool, probing: Bool,
        noDelay: Bool
    ) -> Int {
        let inFlight = bytesInFlight
        var length = min(unsent, maximumSegment, max(min(window - inFlight, congestionRoom), 0))
        if let cap { length = min(length, cap) }
        // Bytes sent before: neither silly-window avoidance nor Nagle holds them back.
        if resending { return length }
        if length < unsent, length < maximumSegment {
            // No runt segments while an ACK (and a window update) is coming, unless half the
            // largest window the peer offered fits. With nothing in flight no ACK is coming:
            // the runt goes (RFC 9293's override, at once), or the connection would wait
            // forever on a small window.
            let halfWindow = largestWindow / 2
            let worthIt = length > 0 && halfWindow > 0 && length >= halfWindow
            if !worthIt && inFlight > 0 { length = 0 }
        }
        if !probing, length == unsent, length < maximumSegment, length > 0, !noDelay, !finQueued, inFlight > 0 {
            // Nagle: one small segment in flight at a time.
            length = 0
        }
        return length
    }

    /// The peer's window holds back data and nothing in flight will bring a window update
    /// (RFC 9293 §3.8.6.1): a zero window, or one too small for the silly-window rule to use.
    @inline(__always) func windowHoldsBack(maximumSegment: Int) -> Bool {
        let unsent = self.unsent
        let inFlight = bytesInFlight
        let usable = window - inFlight
        return usable < min(unsent, maximumSegment) && (usable == 0 || largestWindow / 2 > usable) && unsent > 0
            && inFlight == 0
    }
}
