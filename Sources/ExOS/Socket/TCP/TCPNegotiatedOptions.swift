// What the handshake agreed (RFC 7323 window scaling and timestamps, RFC 2018 SACK), used by
// both directions: each option only when both SYNs carried it (we always offer all of them).
// With timestamps it keeps TS.Recent (the peer's value worth echoing) and PAWS's test of
// stale duplicates, and our per-connection timestamp clock.

import ExoPacket

struct TCPNegotiatedOptions {
    /// Both SYNs carried the window scale option; the shift applied to the peer's window.
    private(set) var windowScalingEnabled = false
    private(set) var sendScale: UInt8 = 0
    private(set) var timestampsEnabled = false
    private(set) var sackEnabled = false
    /// The peer's latest timestamp worth echoing (TS.Recent) and when it was taken (PAWS).
    private(set) var recentTimestamp: UInt32 = 0
    private var recentTimestampTime = Instant.zero
    /// Added to our millisecond clock so that TSval does not reveal uptime (RFC 7323 §7.1).
    let timestampOffset: UInt32

    init(timestampOffset: UInt32) { self.timestampOffset = timestampOffset }

    /// Adopts the options of the peer's SYN (or SYN-ACK).
    mutating func adopt(_ peer: TCPOptions, now: Instant) {
        if let shift = peer.windowScale {
            windowScalingEnabled = true
            sendScale = min(shift, 14)
        }
        sackEnabled = peer.sackPermitted
        if let timestamps = peer.timestamps {
            timestampsEnabled = true
            recentTimestamp = timestamps.value
            recentTimestampTime = now
        }
    }

    /// Our timestamp clock: milliseconds, offset per connection.
    @inline(__always) func timestampClock(_ now: Instant) -> UInt32 {
        UInt32(truncatingIfNeeded: now.nanoseconds / 1_000_000) &+ timestampOffset
    }

    /// PAWS (RFC 7323 §5.3): an older timestamp than the last in-order one is a stale
    /// duplicate from a wrapped sequence space, unless TS.Recent is over 24 days old.
    @inline(__always) func isStale(_ segment: TCPRepr, now: Instant) -> Bool {
        guard timestampsEnabled, let timestamps = segment.options.timestamps else { return false }
        return Int32(bitPattern: timestamps.value &- recentTimestamp) < 0
            && now - recentTimestampTime < .seconds(24 * 86_400)
    }

    /// RFC 7323 §4.3: remembers the timestamp of a segment that covers our last ACK point.
    mutating func remember(_ segment: TCPRepr, receiveNext: TCPSequenceNumber, now: Instant) {
        guard timestampsEnabled, let timestamps = segment.options.timestamps,
            !segment.sequenceNumber.isAfter(receiveNext),
            Int32(bitPattern: timestamps.value &- recentTimestamp) >= 0
        else { return }
        recentTimestamp = timestamps.value
        recentTimestampTime = now
    }

    /// True when a SYN's timestamp is newer than anything the connection saw (RFC 6191); nil
    /// when timestamps do not decide (not both in use).
    @inline(__always) func isNewer(_ syn: TCPRepr) -> Bool? {
        guard timestampsEnabled, let timestamps = syn.options.timestamps else { return nil }
        return Int32(bitPattern: timestamps.value &- recentTimestamp) > 0
    }

    /// The options of our SYN (`active`: everything offered) or SYN-ACK (what the peer's SYN
    /// offered too).
    @inline(__always) func synOptions(active: Bool, offeredSegment: Int, receiveScale: UInt8, now: Instant)
        -> TCPOptions
    {
        var options = TCPOptions()
        options.maximumSegmentSize = UInt16(clamping: offeredSegment)
        if active || windowScalingEnabled { options.windowScale = receiveScale }
        options.sackPermitted = active || sackEnabled
        if active || timestampsEnabled {
            options.timestamps = TCPTimestamps(value: timestampClock(now), echoReply: active ? 0 : recentTimestamp)
        }
        return options
    }
}
