// How large the segments a connection sends may be: the peer's MSS (RFC 9293 §3.7.1, RFC
// 6691: payload and options together never exceed it) and, within it, the payload of a
// segment after the options always sent (timestamps take 12 bytes, RFC 7323 §3.2); both
// lowered by path MTU discovery (RFC 1191).

import ExoPacket

struct TCPSegmentSizes {
    /// Largest payload per segment (the peer's MSS, less the options we always send).
    private(set) var maximumSegment: Int
    /// The peer's MSS.
    private(set) var peerSegment: Int

    /// Before the peer's SYN: 536 (RFC 9293 §3.7.1's default), at most `offered` (ours).
    init(offered: Int) {
        maximumSegment = min(536, offered)
        peerSegment = maximumSegment
    }

    /// Takes the peer's MSS option (nil: none), at most `offered`; `timestamps`: every
    /// segment carries the option.
    mutating func adopt(_ peerMSS: UInt16?, offered: Int, timestamps: Bool) {
        if let mss = peerMSS, mss > 0 { maximumSegment = min(Int(mss), offered) }
        peerSegment = max(maximumSegment, 64)
        if timestamps { maximumSegment -= 12 }
        maximumSegment = max(maximumSegment, 64)
    }

    /// Segments no larger than `mtu` (a router's next-hop MTU; RFC 1191 limits it to 68 or
    /// more). True when the segment size fell.
    mutating func lower(toPathMTU mtu: Int, timestamps: Bool) -> Bool {
        guard mtu >= 68 else { return false }
        let segment = mtu - IPv4Packet.minimumHeaderLength - TCPHeader.minimumLength
        guard segment < peerSegment else { return false }
        peerSegment = max(segment, 64)
        maximumSegment = max(peerSegment - (timestamps ? 12 : 0), 32)
        return true
    }
}
