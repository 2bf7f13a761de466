// A bounds-checked cursor over one received record: little-endian integers, flags,
// length-prefixed strings, blobs and lists. Every read succeeds whole or throws.

/// Reads wire fields front to back from borrowed bytes; never reads outside them.
///
/// The bytes are borrowed, not owned: a reader must not outlive the buffer it was made
/// from (use it only inside the `withUnsafeBytes` scope or the call that lent the pointer).
/// Invariant that keeps every load in bounds: `0 <= offset <= bytes.count`, and a load of
/// `n` bytes happens only after checking `n <= bytes.count - offset`.
public struct WireReader {
    private let bytes: UnsafeRawBufferPointer
    /// Index of the next unread byte.
    public private(set) var offset: Int

    /// A reader over `bytes`, starting at `offset` (clamped into the buffer).
    public init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = min(max(offset, 0), bytes.count)
    }

    /// Bytes not read yet.
    public var remaining: Int { bytes.count - offset }

    /// Reads one little-endian unsigned integer.
    public mutating func read<T: FixedWidthInteger & UnsignedInteger>(
        _: T.Type = T.self
    ) throws(WireDecodeError) -> T {
        let size = MemoryLayout<T>.size
        guard size <= remaining else { throw .truncated }
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += size
        return T(littleEndian: value)
    }

    /// Reads the little-endian integer at absolute `offset` without moving the cursor.
    public func peek<T: FixedWidthInteger & UnsignedInteger>(
        at offset: Int, as _: T.Type = T.self
    ) throws(WireDecodeError) -> T {
        guard offset >= 0, offset <= bytes.count, MemoryLayout<T>.size <= bytes.count - offset else {
            throw .truncated
        }
        return T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// Reads a flag byte: 0 is false, 1 is true, anything else is `.badValue(field)`.
    public mutating func readBool(field: String) throws(WireDecodeError) -> Bool {
        switch try read(UInt8.self) {
        case 0: return false
        case 1: return true
        default: throw .badValue(field)
        }
    }

    /// Reads `count` raw bytes into a new array.
    public mutating func readBytes(count: Int) throws(WireDecodeError) -> [UInt8] {
        guard count >= 0, count <= remaining else { throw .truncated }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
        offset += count
        return Array(slice)
    }

    /// Reads a UInt16-length blob whose length must lie in `allowed`.
    public mutating func readBlob(
        field: String, allowed: ClosedRange<Int>
    ) throws(WireDecodeError) -> [UInt8] {
        let count = Int(try read(UInt16.self))
        guard allowed.contains(count) else { throw .badValue(field) }
        return try readBytes(count: count)
    }

    /// Reads a UInt16-length UTF-8 string whose byte length must lie in `allowed`;
    /// invalid UTF-8 is `.badValue(field)`.
    public mutating func readString(
        field: String, allowed: ClosedRange<Int>
    ) throws(WireDecodeError) -> String {
        let count = Int(try read(UInt16.self))
        guard allowed.contains(count) else { throw .badValue(field) }
        guard count <= remaining else { throw .truncated }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
        guard let string = String(validating: slice, as: UTF8.self) else { throw .badValue(field) }
        offset += count
        return string
    }

    /// Reads a flag byte and, if it is 1, a string as `readString` does.
    public mutating func readOptionalString(
        field: String, allowed: ClosedRange<Int>
    ) throws(WireDecodeError) -> String? {
        try readBool(field: field) ? try readString(field: field, allowed: allowed) : nil
    }

    /// Reads a UInt16 count then that many elements. A count above `allowed` is
    /// `.tooLarge` (an over-long batch or page); below it, `.badValue(field)`.
    mutating func readList<Element: WireRepresentable>(
        of _: Element.Type = Element.self, field: String, allowed: ClosedRange<Int>
    ) throws(WireDecodeError) -> [Element] {
        let count = Int(try read(UInt16.self))
        guard count <= allowed.upperBound else { throw .tooLarge }
        guard count >= allowed.lowerBound else { throw .badValue(field) }
        // Each element takes at least one byte, so a count the record cannot hold is
        // refused before reserving memory for it.
        guard count <= remaining else { throw .truncated }
        var elements: [Element] = []
        elements.reserveCapacity(count)
        for _ in 0..<count { elements.append(try Element(parsing: &self)) }
        return elements
    }

    /// Throws `.trailingBytes` unless every byte has been read.
    public func expectEnd() throws(WireDecodeError) {
        guard remaining == 0 else { throw .trailingBytes }
    }
}
