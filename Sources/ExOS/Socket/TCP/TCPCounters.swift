// TCP's counters beside its drop reasons: what it sent, resent, challenged and accepted, so
// tests and operators see loss recovery and hostile input at work.

/// Counts of TCP events in one stack.
public struct TCPCounters: Sendable, Equatable {
    public var segmentsReceived: UInt64 = 0
    public var segmentsSent: UInt64 = 0
    public var bytesReceived: UInt64 = 0
    public var retransmittedSegments: UInt64 = 0
    public var fastRetransmits: UInt64 = 0
    public var retransmissionTimeouts: UInt64 = 0
    /// Tail loss probes sent (RFC 8985 §7), and recoveries RACK's marking started.
    public var tailLossProbes: UInt64 = 0
    public var rackRecoveries: UInt64 = 0
    /// Retransmissions found lost again and resent before a timeout.
    public var lostRetransmissions: UInt64 = 0
    /// Connections that failed after their retries or keep-alive probes ran out.
    public var timeouts: UInt64 = 0
    public var windowProbes: UInt64 = 0
    /// Connections the application had closed, dropped after `tcpOrphanProbes` window probes
    /// that the peer answered with its window still shut.
    public var orphansDropped: UInt64 = 0
    /// ACKs sent to challenge a RST or SYN that was in the window but not exact (RFC 5961).
    public var challengeAcks: UInt64 = 0
    /// Challenge ACKs not sent: the connection had sent one less than
    /// `StackLimits.tcpChallengeAckInterval` before (RFC 5961 §7).
    public var challengeAcksLimited: UInt64 = 0
    public var resetsReceived: UInt64 = 0
    public var resetsSent: UInt64 = 0
    public var outOfOrderSegments: UInt64 = 0
    public var urgentIgnored: UInt64 = 0
    public var activeOpens: UInt64 = 0
    public var passiveOpens: UInt64 = 0
    public var synCookiesSent: UInt64 = 0
    public var synCookiesAccepted: UInt64 = 0
    /// TIME_WAIT connections that gave way to a provably newer SYN (RFC 6191).
    public var timeWaitReused: UInt64 = 0
    /// TIME_WAIT connections ended early to make room in a full connection table.
    public var timeWaitRecycled: UInt64 = 0
    /// ICMP errors about a segment in flight (acted on), and about anything else (ignored).
    public var icmpErrorsAccepted: UInt64 = 0
    public var icmpErrorsIgnored: UInt64 = 0

    public init() {}
}
