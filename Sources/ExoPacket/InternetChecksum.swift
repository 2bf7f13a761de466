// The Internet checksum (RFC 1071): the one's-complement sum of 16-bit words, summed as
// 32-bit words in memory order into 64 bits and folded at the end (RFC 1071 §2(B): the sum
// is byte-order independent; §2(C): wider words give the same sum).

/// A running one's-complement sum. Add whole headers or payloads in order; only the last
/// block added may have an odd length (an odd block pads with one zero byte, as RFC 1071
/// says, so an odd block in the middle would shift the words after it).
@frozen public struct InternetChecksum: Sendable {
    /// Sum of 16-bit words in memory order, carries not yet folded.
    @usableFromInline var accumulator: UInt64 = 0

    @inlinable public init() {}

    /// Starts with the pseudo-header UDP and TCP checksums cover (RFC 768, RFC 793):
    /// source, destination, zero, protocol, and the transport length.
    @inlinable public init(pseudoHeaderSource source: IPv4Address, destination: IPv4Address, protocol proto: IPProtocol, length: UInt16) {
        add(source.rawValue)
        add(destination.rawValue)
        add(UInt16(proto.rawValue))
        add(length)
    }

    @inlinable mutating func addNative(_ value: UInt64) {
        let (sum, overflow) = accumulator.addingReportingOverflow(value)
        accumulator = sum &+ (overflow ? 1 : 0)  // end-around carry; cannot overflow again
    }

    /// Adds a 16-bit field given as a number (big-endian on the wire).
    @inlinable public mutating func add(_ value: UInt16) {
        addNative(UInt64(value.bigEndian))
    }

    /// Adds a 32-bit field given as a number (two 16-bit words).
    @inlinable public mutating func add(_ value: UInt32) {
        add(UInt16(truncatingIfNeeded: value >> 16))
        add(UInt16(truncatingIfNeeded: value))
    }

    /// Adds every byte of `bytes`: the whole 32-bit words summed wide (see
    /// `PacketBytes.wholeWordSum`), then the 1–3 bytes after them.
    @inlinable public mutating func add(_ bytes: PacketBytes) {
        addNative(bytes.wholeWordSum())
        var offset = bytes.count & ~3
        if offset + 2 <= bytes.count {
            addNative(UInt64(bytes.nativeU16(offset)))
            offset += 2
        }
        if offset < bytes.count {
            // The odd last byte is the high half of a big-endian word padded with zero.
            addNative(UInt64((UInt16(bytes.u8(offset)) << 8).bigEndian))
        }
    }

    /// The folded sum as a number (0xFFFF when the covered bytes include a correct checksum).
    @inlinable public var sum: UInt16 {
        var folded = (accumulator & 0xFFFF_FFFF) &+ (accumulator >> 32)
        folded = (folded & 0xFFFF) &+ (folded >> 16)
        folded = (folded & 0xFFFF) &+ (folded >> 16)
        folded = (folded & 0xFFFF) &+ (folded >> 16)
        return UInt16(bigEndian: UInt16(truncatingIfNeeded: folded))
    }

    /// The value to store in a checksum field (the complement of the sum).
    @inlinable public var value: UInt16 { ~sum }

    /// True when the covered bytes, checksum field included, sum to all ones.
    @inlinable public var verifies: Bool { sum == 0xFFFF }

    /// The checksum of `bytes` alone (e.g. an IPv4 header with its checksum field zeroed).
    @inlinable public static func of(_ bytes: PacketBytes) -> UInt16 {
        var checksum = InternetChecksum()
        checksum.add(bytes)
        return checksum.value
    }
}
