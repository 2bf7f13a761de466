// The receiving half of a connection: the receive sequence space (RCV.NXT and the right edge
// of the window we advertised, which never moves left, RFC 9293 §3.8.6.2.2), the receive ring
// with the out-of-order bytes written past its tail (`ReceiveAssembler` keeps their ranges),
// the peer's FIN, the window we offer, and the ACKs we owe.

import ExoPacket

struct TCPReceiver {
    /// The peer's initial sequence number (IRS).
    private(set) var initial = TCPSequenceNumber(0)
    /// Next number expected (RCV.NXT).
    private(set) var next = TCPSequenceNumber(0)
    /// Right edge of the window last advertised.
    private(set) var advertisedEdge = TCPSequenceNumber(0)
    /// Bytes received in order and not yet read; out-of-order bytes wait past its tail.
    var buffer: ByteRing
    private(set) var assembler: ReceiveAssembler
    /// The peer's FIN, when it arrived ahead of missing data: its sequence number.
    private var pendingFin: TCPSequenceNumber?
    /// The peer's FIN has been received in order: after the buffered bytes, end of stream.
    private(set) var finReceived = false
    /// Our MSS as offered (MTU − 40).
    let offeredSegment: Int
    /// Shift applied to our window field (RFC 7323 §2); 0 when the peer does not scale.
    var scale: UInt8
    var acknowledgements = TCPAcknowledgementSchedule()

    init(bufferSize: Int, offeredSegment: Int, outOfOrderRanges: Int) {
        buffer = ByteRing(capacity: max(bufferSize, 1))
        assembler = ReceiveAssembler(maximumRanges: outOfOrderRanges)
        self.offeredSegment = offeredSegment
        scale = Self.scale(for: bufferSize)
    }

    /// The smallest window shift that lets the whole buffer be advertised (at most 14).
    static func scale(for bufferSize: Int) -> UInt8 {
        var shift: UInt8 = 0
        while shift < 14, bufferSize >> Int(shift) > Int(UInt16.max) { shift += 1 }
        return shift
    }

    /// The peer's SYN numbered `initial` was taken; `next` is expected next.
    mutating func synchronize(initial: TCPSequenceNumber, next: TCPSequenceNumber) {
        self.initial = initial
        self.next = next
        advertisedEdge = next
    }

    /// Bytes the receive buffer can still take: the window we offer.
    ///
    /// One window unit (2^scale bytes) of the ring is held back from it: the window field
    /// counts in those units and is rounded up so the advertised right edge never moves
    /// left, and whatever the peer sends up to that edge must fit in the ring.
    @inline(__always) var window: Int { max(buffer.freeSpace - (1 << Int(scale)), 0) }

    /// The window the peer was told: what we can hold now, or up to the right edge we
    /// advertised when that is further.
    @inline(__always) var promisedWindow: Int { max(window, advertisedEdge - next) }

    /// RFC 9293's acceptability test, against the window the peer was told (the window
    /// field is rounded up to keep the edge, so the peer may rightly send a little past the
    /// free space: such a segment is acceptable and its ACK counts; its excess bytes are
    /// trimmed). Judged against the free space alone, a peer's ACKs sent after a small
    /// in-window segment would all be refused, and the connection would stall.
    @inline(__always) func isAcceptable(_ segment: TCPRepr, payloadLength: Int) -> Bool {
        var length = payloadLength
        if segment.flags.contains(.syn) { length += 1 }
        if segment.flags.contains(.fin) { length += 1 }
        let window = promisedWindow
        let start = segment.sequenceNumber
        if length == 0 {
            // Up to and including the right edge, as Linux judges: a peer that filled the
            // window exactly sends its ACKs at the edge.
            return start.isWithin(next, length: window + 1)
        }
        // A zero window still takes ACKs and RSTs at RCV.NXT (RFC 9293 §3.10.7.4); the data
        // is trimmed away later.
        if window == 0 { return start == next }
        return start.isWithin(next, length: window) || (start + (length - 1)).isWithin(next, length: window)
    }

    /// The part of a segment's data that is new and fits the ring: its offset past RCV.NXT
    /// and its bytes (bytes past the ring's real room are cut, counted).
    @inline(__always)  // outlined, a non-mutating call copies the receiver (and retains its rings)
    func trim(_ payload: PacketBytes, at sequence: TCPSequenceNumber, counters: inout StackCounters)
        -> (offset: Int, data: PacketBytes)
    {
        var start = sequence
        var data = payload
        if start.isBefore(next) {
            let old = min(next - start, data.count)
            data = data.dropFirst(old)
            start = start + old
        }
        let offset = start - next
        // The ring's real room (the advertised window keeps a unit in hand for it).
        let room = max(buffer.freeSpace - offset, 0)
        if data.count > room {
            counters.count(.tcpBeyondWindow)
            data = data.prefix(room)
        }
        return (offset, data)
    }

    /// What taking in-window data did.
    enum Arrival {
        /// Nothing for the reader (empty, or held ahead of a hole): an ACK is owed at once.
        case acknowledgeNow
        /// Bytes for the reader; `acknowledgeNow`: the ACK goes at once, else it is delayed.
        case readable(acknowledgeNow: Bool)
        /// Bytes for the reader, and with them the FIN that waited for them.
        case readableUpToFin
    }

    /// Writes in-window data at `offset` past RCV.NXT and schedules the ACK: at once for
    /// out-of-order data (RFC 5681 §4.2), a filled hole or every second full segment,
    /// otherwise within `delay`.
    mutating func accept(
        _ data: PacketBytes, offset: Int, fullSized: Bool, now: Instant, delay: Interval, counters: inout StackCounters
    ) -> Arrival {
        guard data.count > 0 else {
            acknowledgements.oweNow()
            return .acknowledgeNow
        }
        if offset > 0 {
            if assembler.insert(offset: offset, length: data.count) {
                _ = buffer.write(data, at: offset)
                counters.tcp.outOfOrderSegments &+= 1
            } else {
                counters.count(.tcpOutOfOrderFull)
            }
            acknowledgements.oweNow()
            return .acknowledgeNow
        }
        let filledHole = !assembler.isEmpty
        _ = buffer.write(data, at: 0)
        let following = assembler.advance(by: data.count)
        buffer.commit(data.count + following)
        next += data.count + following
        counters.tcp.bytesReceived &+= UInt64(data.count + following)
        if let fin = pendingFin, fin == next {
            pendingFin = nil
            return .readableUpToFin
        }
        if acknowledgements.segmentArrived(fullSized: fullSized) || filledHole {
            acknowledgements.oweNow()
            return .readable(acknowledgeNow: true)
        }
        acknowledgements.oweDelayed(now: now, delay: delay)
        return .readable(acknowledgeNow: false)
    }

    /// Where a FIN numbered `number` falls.
    enum FinArrival {
        /// At RCV.NXT: the end of the peer's stream now (`takeFin`).
        case inOrder
        /// Ahead of missing data, within the window: kept until the data comes (ACK owed).
        case ahead
        /// Below RCV.NXT or beyond the window: a retransmission, or not the peer's.
        case other
    }

    mutating func finArrived(at number: TCPSequenceNumber) -> FinArrival {
        if number == next { return .inOrder }
        guard number.isAfter(next), number.isWithin(next, length: promisedWindow + 1) else { return .other }
        pendingFin = number
        acknowledgements.oweNow()
        return .ahead
    }

    /// Takes the peer's FIN in order (it takes a number; the ACK for it is owed at once).
    /// False when it was taken already.
    mutating func takeFin() -> Bool {
        guard !finReceived else { return false }
        finReceived = true
        next += 1
        acknowledgements.oweNow()
        return true
    }

    /// After the application read: true when the window grew enough since it was last
    /// advertised to be worth a window update of its own (RFC 9293 §3.8.6.2.2's receiver
    /// SWS rule: by at least one segment, or half the buffer), which is then owed.
    mutating func windowOpened() -> Bool {
        let advertised = max(advertisedEdge - next, 0)
        let growth = window - advertised
        guard growth >= min(offeredSegment, buffer.capacity / 2) else { return false }
        // Only worth an ACK of its own when the peer may be waiting on the window.
        guard advertised < buffer.capacity / 2 else { return false }
        acknowledgements.oweNow()
        return true
    }

    /// The window field: the free receive space, scaled (never scaled on a SYN), and never
    /// less than what keeps the advertised right edge where it was.
    ///
    /// Mutating only to take `self` by address: an outlined non-mutating call gets the
    /// receiver by a copy made first (with its rings' retains). It changes nothing.
    private mutating func windowField(synchronizing: Bool) -> UInt16 {
        let scale = synchronizing ? 0 : Int(self.scale)
        // Receiver silly window avoidance (RFC 9293 §3.8.6.2.2): free space below a segment
        // (or half the buffer) is not offered until the application makes it bigger.
        let free = window
        var window = (free >= min(offeredSegment, buffer.capacity / 2) ? free : 0) >> scale
        let promised = advertisedEdge - next
        if promised > 0 { window = max(window, (promised + (1 << scale) - 1) >> scale) }
        return UInt16(clamping: window)
    }

    /// A segment with our ACK and `window` went: nothing is owed, and the advertised edge
    /// moves right if the window reaches further.
    private mutating func acknowledgementSent(window: UInt16, synchronizing: Bool) {
        acknowledgements.sent()
        let edge = next + (Int(window) << (synchronizing ? 0 : Int(scale)))
        if advertisedEdge.isBefore(edge) { advertisedEdge = edge }
    }

    /// The options of a segment with `flags` (not a SYN): our timestamp (not on a reset) and
    /// SACK blocks with an ACK while out-of-order data is held.
    mutating func segmentOptions(flags: TCPFlags, _ agreed: TCPNegotiatedOptions, now: Instant) -> TCPOptions {
        var options = TCPOptions()
        if agreed.timestampsEnabled, !flags.contains(.rst) {
            options.timestamps = TCPTimestamps(value: agreed.timestampClock(now), echoReply: agreed.recentTimestamp)
        }
        if agreed.sackEnabled, flags.contains(.ack), !assembler.isEmpty {
            let base = next
            assembler.forEachSACKRange(limit: agreed.timestampsEnabled ? 3 : 4) { start, end in
                _ = options.sackBlocks.append(TCPSACKBlock(start: base + start, end: base + end))
            }
        }
        return options
    }

    /// The header of a chosen segment between `ports`: every segment but the first SYN
    /// (`synSent`) carries our ACK (RFC 9293 §3.10.7), and with it the window; sending it
    /// pays the ACK owed.
    mutating func stamp(
        _ choice: TCPSendChoice, options: TCPOptions, ports: (local: UInt16, remote: UInt16), synSent: Bool
    ) -> TCPSegmentPlan {
        var flags = choice.flags
        if synSent { flags.remove(.ack) } else { flags.insert(.ack) }
        let synchronizing = flags.contains(.syn)
        let window = windowField(synchronizing: synchronizing)
        if flags.contains(.ack) { acknowledgementSent(window: window, synchronizing: synchronizing) }
        let header = TCPRepr(
            sourcePort: ports.local, destinationPort: ports.remote, sequenceNumber: choice.sequence,
            acknowledgementNumber: flags.contains(.ack) ? next : TCPSequenceNumber(0), flags: flags, window: window,
            options: options, payloadLength: choice.length)
        return TCPSegmentPlan(header: header, bufferOffset: choice.bufferOffset)
    }
}
