// Initial sequence numbers (RFC 6528): ISN = M + F(four-tuple, key). M, a clock ticking
// every 4 µs, keeps successive incarnations of one connection moving forward (so old
// duplicates fall behind); F, a keyed hash, gives every four-tuple its own unguessable
// offset, so an off-path host cannot predict a connection's numbers to inject into it.

import ExoPacket

/// Chooses the ISN of each new connection. Pure: the clock is the `now` passed in.
struct InitialSequenceNumbers: Sendable {
    /// The SipHash key's purpose constant ("tcp isn\0"), so this key differs from the SYN cookies'.
    static let keyPurpose: UInt64 = 0x7463_7020_6973_6E00
    /// M's period (RFC 793 §3.3's 4 µs clock: 250,000 ticks a second, a wrap in ~4.77 hours).
    static let clockTick: UInt64 = 4_000

    private let hash: SipHash

    /// Derives the 128-bit key from the stack's 64-bit configuration secret.
    init(secret: UInt64) {
        hash = SipHash(secret: secret, purpose: Self.keyPurpose)
    }

    /// The ISN for a connection from local to remote, opened at `now`.
    func make(
        localAddress: IPv4Address, localPort: UInt16, remoteAddress: IPv4Address, remotePort: UInt16, now: Instant
    ) -> TCPSequenceNumber {
        let clock = UInt32(truncatingIfNeeded: now.nanoseconds / Self.clockTick)
        let offset = hash.hash(
            UInt64(localAddress.rawValue) << 32 | UInt64(remoteAddress.rawValue),
            UInt64(localPort) << 16 | UInt64(remotePort))
        return TCPSequenceNumber(clock &+ UInt32(truncatingIfNeeded: offset))
    }
}
