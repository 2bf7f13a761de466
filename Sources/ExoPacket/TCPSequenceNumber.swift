// TCP sequence numbers (RFC 9293 §3.4): 32-bit values compared modulo 2³², so "before" and
// "after" hold only within half the space. Every comparison of sequence numbers in the
// stack goes through this type; plain `<` on the raw values is wrong after a wrap.

/// A position in a TCP byte stream, modulo 2³².
public struct TCPSequenceNumber: Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32

    @inlinable public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    /// The number `count` bytes later (wrapping).
    @inlinable public static func + (sequence: TCPSequenceNumber, count: Int) -> TCPSequenceNumber {
        TCPSequenceNumber(sequence.rawValue &+ UInt32(truncatingIfNeeded: count))
    }

    /// The number `count` bytes earlier (wrapping).
    @inlinable public static func - (sequence: TCPSequenceNumber, count: Int) -> TCPSequenceNumber {
        TCPSequenceNumber(sequence.rawValue &- UInt32(truncatingIfNeeded: count))
    }

    @inlinable public static func += (sequence: inout TCPSequenceNumber, count: Int) { sequence = sequence + count }

    /// The signed distance from `earlier` to `later` (negative when `later` is before).
    @inlinable public static func - (later: TCPSequenceNumber, earlier: TCPSequenceNumber) -> Int {
        Int(Int32(bitPattern: later.rawValue &- earlier.rawValue))
    }

    /// True when `self` comes strictly before `other` (RFC 9293's SEG.SEQ < RCV.NXT).
    @inlinable public func isBefore(_ other: TCPSequenceNumber) -> Bool { Int32(bitPattern: rawValue &- other.rawValue) < 0 }

    /// True when `self` comes strictly after `other`.
    @inlinable public func isAfter(_ other: TCPSequenceNumber) -> Bool { other.isBefore(self) }

    /// True when `self` is in `[start, start + length)`.
    @inlinable public func isWithin(_ start: TCPSequenceNumber, length: Int) -> Bool {
        let offset = self - start
        return offset >= 0 && offset < length
    }

    /// The later of two numbers.
    @inlinable public static func max(_ a: TCPSequenceNumber, _ b: TCPSequenceNumber) -> TCPSequenceNumber {
        a.isBefore(b) ? b : a
    }

    /// The earlier of two numbers.
    @inlinable public static func min(_ a: TCPSequenceNumber, _ b: TCPSequenceNumber) -> TCPSequenceNumber {
        a.isBefore(b) ? a : b
    }

    public var description: String { String(rawValue) }
}
