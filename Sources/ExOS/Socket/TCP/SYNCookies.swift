// SYN cookies: when a listener's SYN backlog is full, the SYN-ACK's sequence number itself
// carries what the listener must remember (the MSS it agreed to), authenticated by a keyed
// hash of the four-tuple and a minute counter, so the ACK completing the handshake can
// rebuild the connection without any state kept in between. The layout follows Linux's
// (net/ipv4/syncookies.c); see docs/EXOS.md §6 for the bit layout and what it costs.

import ExoPacket

/// What a SYN cookie remembers of the peer's SYN.
struct SYNCookieOptions: Hashable, Sendable {
    /// One of `SYNCookies.maximumSegmentSizes`: the largest not above the peer's.
    var maximumSegmentSize: UInt16
    /// The peer's window scale (nil: none, or timestamps were not offered).
    var windowScale: UInt8?
    var sackPermitted: Bool
}

/// Makes and checks SYN cookies under a key derived from the stack's secret.
///
/// The cookie (the SYN-ACK's ISN), with `c` the client's ISN and `minute` = now in minutes:
///
///     cookie = H(tuple) + c + (minute mod 256) << 24 + (tag << 8 | data)
///
/// `data` (8 bits) = MSS index (bits 0–1) | option bits << 2, and `tag` (16 bits) =
/// H(tuple, minute, data): Linux's layout (counter in the top byte, 24 bits of data masked by
/// a hash) with the data authenticated rather than only masked, so a cookie moved by one no
/// longer claims another MSS. The option bits (window scale in bits 0–3, 15 = none;
/// SACK-permitted in bit 4; with no timestamps the marker 0x20) also travel in the low 6 bits
/// of the SYN-ACK's TSval, which the ACK echoes in TSecr: the check requires the echo's bits
/// to equal the authenticated ones (Linux trusts the echoed bits).
struct SYNCookies: Sendable {
    /// The MSS values a cookie can carry (Linux's IPv4 table): 2 bits.
    static let maximumSegmentSizes: [UInt16] = [536, 1300, 1440, 1460]
    /// The SipHash key's purpose constant ("syncooki"), so this key differs from the ISNs'.
    static let keyPurpose: UInt64 = 0x7379_6E63_6F6F_6B69
    /// A cookie made in minute m is accepted in minutes m and m + 1: 1 to 2 minutes of life.
    static let maximumAge: UInt64 = 2
    /// The longest a cookie is accepted after it was made (see `maximumAge`).
    static let lifetime = Interval.seconds(maximumAge * 60)
    static let minute: UInt64 = 60_000_000_000

    /// The low 24 bits hold the tag and the data, the top 8 the minute counter.
    static let counterShift: UInt32 = 24
    static let payloadMask: UInt32 = 1 << 24 - 1
    /// The data: MSS index (2 bits) and option bits (6).
    static let dataBits: UInt32 = 8
    static let dataMask: UInt32 = 1 << 8 - 1
    static let tagMask: UInt32 = 1 << 16 - 1
    static let indexBits: UInt32 = 2
    /// The low TSval bits that carry the options (Linux's TSBITS).
    static let timestampOptionBits: UInt32 = 6
    static let timestampOptionMask: UInt32 = 1 << timestampOptionBits - 1
    static let noWindowScale: UInt32 = 0x0F
    static let sackPermittedBit: UInt32 = 0x10
    /// The option bits of a cookie made without timestamps (no TSval with these bits exists).
    static let noTimestamps: UInt32 = 0x20

    private let hash: SipHash

    /// Derives the 128-bit key from the stack's 64-bit configuration secret.
    init(secret: UInt64) {
        hash = SipHash(secret: secret, purpose: Self.keyPurpose)
    }

    /// The ISN of the SYN-ACK for a SYN from remote to local with client ISN `clientSequence`,
    /// and the options the cookie can carry. `peerMSS` is the SYN's MSS option (536 when
    /// absent, RFC 9293 §3.7.1); the cookie carries the largest table entry not above it
    /// (536 when it is lower still, as Linux does). With timestamps offered, window scale and
    /// SACK-permitted are also kept: they are in the low 6 bits of the returned TSval, which
    /// the SYN-ACK must send as is (with TSecr = the SYN's TSval). Without timestamps the
    /// cookie carries only the MSS, so the SYN-ACK must offer neither window scale nor SACK.
    func make(
        localAddress: IPv4Address, localPort: UInt16, remoteAddress: IPv4Address, remotePort: UInt16,
        clientSequence: TCPSequenceNumber, peerMSS: UInt16, peerWindowScale: UInt8?, peerSACKPermitted: Bool,
        timestampsOffered: Bool, now: Instant
    ) -> (sequence: TCPSequenceNumber, timestampValue: UInt32?, options: SYNCookieOptions) {
        let index = Self.maximumSegmentSizes.lastIndex { $0 <= peerMSS } ?? 0
        var options = SYNCookieOptions(
            maximumSegmentSize: Self.maximumSegmentSizes[index], windowScale: nil, sackPermitted: false)
        var optionBits = Self.noTimestamps
        var timestampValue: UInt32?
        if timestampsOffered {
            options.windowScale = peerWindowScale.map { min($0, TCPOptions.maximumWindowScale) }
            options.sackPermitted = peerSACKPermitted
            optionBits = Self.optionBits(options)
            timestampValue = Self.timestampValue(carrying: optionBits, now: now)
        }
        let words = Self.tupleWords(localAddress, localPort, remoteAddress, remotePort)
        let minute = now.nanoseconds / Self.minute
        let data = UInt32(index) | optionBits << Self.indexBits
        let payload = tag(words, minute: minute, data: data) << Self.dataBits | data
        let cookie =
            UInt32(truncatingIfNeeded: hash.hash(words.0, words.1)) &+ clientSequence.rawValue
            &+ UInt32(truncatingIfNeeded: minute) << Self.counterShift &+ payload
        return (TCPSequenceNumber(cookie), timestampValue, options)
    }

    /// For the ACK completing the handshake (`acknowledgement` - 1 is the cookie,
    /// `sequence` - 1 the client's ISN, `timestampEcho` its TSecr if it has timestamps): the
    /// options, or nil when the cookie is forged, made for another tuple or other option
    /// bits, or older than 1–2 minutes.
    func check(
        localAddress: IPv4Address, localPort: UInt16, remoteAddress: IPv4Address, remotePort: UInt16,
        acknowledgement: TCPSequenceNumber, sequence: TCPSequenceNumber, timestampEcho: UInt32?, now: Instant
    ) -> SYNCookieOptions? {
        let words = Self.tupleWords(localAddress, localPort, remoteAddress, remotePort)
        let cookie = (acknowledgement - 1).rawValue
        let clientSequence = (sequence - 1).rawValue
        let counted = cookie &- UInt32(truncatingIfNeeded: hash.hash(words.0, words.1)) &- clientSequence
        let currentMinute = now.nanoseconds / Self.minute
        // The age in minutes, modulo the 8 bits of counter the cookie holds.
        let age = (currentMinute &- UInt64(counted >> Self.counterShift)) & 0xFF
        guard age < Self.maximumAge, age <= currentMinute else { return nil }
        let minute = currentMinute - age
        let data = counted & Self.dataMask
        guard (counted & Self.payloadMask) >> Self.dataBits == tag(words, minute: minute, data: data) else {
            return nil
        }
        let index = Int(data & (1 << Self.indexBits - 1))
        let optionBits = data >> Self.indexBits
        // The data is authentic; its option bits must also be exactly those the ACK's TSecr
        // carries (or the no-timestamps marker), or the window scale and SACK are unknown.
        let expected = timestampEcho.map { $0 & Self.timestampOptionMask } ?? Self.noTimestamps
        guard optionBits == expected else { return nil }
        var options = SYNCookieOptions(
            maximumSegmentSize: Self.maximumSegmentSizes[index], windowScale: nil, sackPermitted: false)
        if timestampEcho != nil {
            let scale = optionBits & Self.noWindowScale
            options.windowScale = scale == Self.noWindowScale ? nil : UInt8(scale)
            options.sackPermitted = optionBits & Self.sackPermittedBit != 0
            // A scale above 14 was never made (make clamps): only a forgery reaches it.
            if let windowScale = options.windowScale, windowScale > TCPOptions.maximumWindowScale { return nil }
        }
        return options
    }

    /// The 16-bit authenticator of `data` for this tuple and minute.
    private func tag(_ words: (UInt64, UInt64), minute: UInt64, data: UInt32) -> UInt32 {
        UInt32(truncatingIfNeeded: hash.hash(words.0, words.1, minute << Self.dataBits | UInt64(data))) & Self.tagMask
    }

    /// The bits a cookie with timestamps keeps: window scale (or 15) and SACK-permitted.
    private static func optionBits(_ options: SYNCookieOptions) -> UInt32 {
        (options.windowScale.map { UInt32($0) } ?? noWindowScale) | (options.sackPermitted ? sackPermittedBit : 0)
    }

    /// The SYN-ACK's TSval: the millisecond clock with its low 6 bits replaced by the option
    /// bits, moved back 64 ms when that would put it ahead of the clock, so the connection's
    /// later TSvals from the same clock never go backwards (the peer's PAWS check).
    private static func timestampValue(carrying bits: UInt32, now: Instant) -> UInt32 {
        let clock = millisecondClock(now)
        var value = clock & ~timestampOptionMask | bits
        if Int32(bitPattern: value &- clock) > 0 { value &-= timestampOptionMask + 1 }
        return value
    }

    /// The TSval clock the stamps of a cookie's SYN-ACK come from: milliseconds of `now`.
    /// A connection accepted from a cookie must stamp from a clock at or ahead of it.
    static func millisecondClock(_ now: Instant) -> UInt32 {
        UInt32(truncatingIfNeeded: now.nanoseconds / 1_000_000)
    }

    private static func tupleWords(
        _ localAddress: IPv4Address, _ localPort: UInt16, _ remoteAddress: IPv4Address, _ remotePort: UInt16
    ) -> (UInt64, UInt64) {
        (
            UInt64(localAddress.rawValue) << 32 | UInt64(remoteAddress.rawValue),
            UInt64(localPort) << 16 | UInt64(remotePort)
        )
    }
}
