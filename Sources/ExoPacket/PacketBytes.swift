// The packet layer's only unsafe type: a bounds-checked, big-endian window on bytes that
// someone else owns (a ring frame, the daemon's private copy, a test array).

/// A read-only window on `count` bytes.
///
/// Invariant (what makes the pointer safe): the lender keeps the memory alive and unchanged
/// for as long as the window is used. Obtain one only inside a borrowing closure
/// (`PacketBytes.with(_:_:)` over a `RawSpan`, or `withUnsafeBytes`) and never store it
/// past that closure. Every load checks its range against `count` (overflow-safe), so a
/// view's bug traps instead of reading a neighbour's memory.
@frozen public struct PacketBytes {
    @usableFromInline let base: UnsafeRawPointer?
    /// Number of bytes in the window.
    public let count: Int

    /// A window on `buffer`; it borrows, never owns, the memory (see the type's invariant).
    @inlinable public init(unsafeBuffer buffer: UnsafeRawBufferPointer) {
        base = buffer.baseAddress
        count = buffer.count
    }

    @inlinable init(base: UnsafeRawPointer?, count: Int) {
        self.base = base
        self.count = count
    }

    /// Runs `body` with a window on `span`'s bytes; the window must not escape `body`.
    @inlinable public static func with<Result, Failure: Error>(
        _ span: RawSpan, _ body: (PacketBytes) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try span.withUnsafeBytes { (buffer) throws(Failure) -> Result in try body(PacketBytes(unsafeBuffer: buffer)) }
    }

    @inlinable func check(_ offset: Int, _ width: Int) {
        // Both tests needed: a negative offset, or one so large that offset + width overflows.
        precondition(offset >= 0 && offset <= count - width, "packet read out of range")
    }

    /// The byte at `offset`.
    @inlinable public func u8(_ offset: Int) -> UInt8 {
        check(offset, 1)
        return base.unsafelyUnwrapped.load(fromByteOffset: offset, as: UInt8.self)
    }

    /// The big-endian 16-bit value at `offset`.
    @inlinable public func u16(_ offset: Int) -> UInt16 {
        check(offset, 2)
        return UInt16(bigEndian: base.unsafelyUnwrapped.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    /// The big-endian 32-bit value at `offset`.
    @inlinable public func u32(_ offset: Int) -> UInt32 {
        check(offset, 4)
        return UInt32(bigEndian: base.unsafelyUnwrapped.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// The 16 bits at `offset` in memory order (for the one's-complement checksum).
    @inlinable func nativeU16(_ offset: Int) -> UInt16 {
        check(offset, 2)
        return base.unsafelyUnwrapped.loadUnaligned(fromByteOffset: offset, as: UInt16.self)
    }

    /// The 64 bits at `offset` in memory order (for the one's-complement checksum).
    @inlinable func nativeU64(_ offset: Int) -> UInt64 {
        check(offset, 8)
        return base.unsafelyUnwrapped.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
    }

    /// The `length` bytes starting at `offset`, as a window on the same memory.
    @inlinable public func slice(_ offset: Int, _ length: Int) -> PacketBytes {
        precondition(length >= 0, "negative packet slice")
        check(offset, length)
        return PacketBytes(base: base.map { $0 + offset }, count: length)
    }

    /// The bytes from `offset` to the end.
    @inlinable public func dropFirst(_ offset: Int) -> PacketBytes {
        slice(offset, count - offset)
    }

    /// The first `length` bytes.
    @inlinable public func prefix(_ length: Int) -> PacketBytes {
        slice(0, length)
    }

    /// A copy of the bytes (allocates: for tests and logs, never the packet path).
    public var array: [UInt8] {
        (0..<count).map { u8($0) }
    }
}

/// A writable window on `count` bytes: the same invariant as `PacketBytes`, and the lender
/// also guarantees nobody else writes the memory while the window is used.
@frozen public struct MutablePacketBytes {
    @usableFromInline let base: UnsafeMutableRawPointer?
    /// Number of bytes in the window.
    public let count: Int

    /// A window on `buffer`; it borrows, never owns, the memory.
    @inlinable public init(unsafeBuffer buffer: UnsafeMutableRawBufferPointer) {
        base = buffer.baseAddress
        count = buffer.count
    }

    @inlinable init(base: UnsafeMutableRawPointer?, count: Int) {
        self.base = base
        self.count = count
    }

    /// Runs `body` with a window on `array`'s bytes; the window must not escape `body`.
    @discardableResult
    @inlinable public static func with<Result>(
        _ array: inout [UInt8], _ body: (MutablePacketBytes) throws -> Result
    ) rethrows -> Result {
        try array.withUnsafeMutableBytes { try body(MutablePacketBytes(unsafeBuffer: $0)) }
    }

    @inlinable func check(_ offset: Int, _ width: Int) {
        precondition(offset >= 0 && offset <= count - width, "packet write out of range")
    }

    /// The same bytes, read-only.
    @inlinable public var readOnly: PacketBytes {
        PacketBytes(base: base.map { UnsafeRawPointer($0) }, count: count)
    }

    /// Stores `value` at `offset`.
    @inlinable public func setU8(_ offset: Int, _ value: UInt8) {
        check(offset, 1)
        base.unsafelyUnwrapped.storeBytes(of: value, toByteOffset: offset, as: UInt8.self)
    }

    /// Stores `value` big-endian at `offset`.
    @inlinable public func setU16(_ offset: Int, _ value: UInt16) {
        check(offset, 2)
        base.unsafelyUnwrapped.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt16.self)
    }

    /// Stores `value` big-endian at `offset`.
    @inlinable public func setU32(_ offset: Int, _ value: UInt32) {
        check(offset, 4)
        base.unsafelyUnwrapped.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt32.self)
    }

    /// The `length` bytes starting at `offset`, as a window on the same memory.
    @inlinable public func slice(_ offset: Int, _ length: Int) -> MutablePacketBytes {
        precondition(length >= 0, "negative packet slice")
        check(offset, length)
        return MutablePacketBytes(base: base.map { $0 + offset }, count: length)
    }

    /// The bytes from `offset` to the end.
    @inlinable public func dropFirst(_ offset: Int) -> MutablePacketBytes {
        slice(offset, count - offset)
    }

    /// The first `length` bytes.
    @inlinable public func prefix(_ length: Int) -> MutablePacketBytes {
        slice(0, length)
    }
}

/// Why bytes are not a well-formed header of the kind asked for.
public enum PacketError: Error, Sendable, Equatable {
    /// Fewer bytes than the header (or a length field inside it) needs.
    case truncated
    /// The bytes are long enough but a field has an impossible or unsupported value.
    case malformed
    /// The checksum does not verify.
    case badChecksum
}
