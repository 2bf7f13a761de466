// Appends wire fields to a growable byte array: little-endian integers, flags and
// length-prefixed strings, blobs and lists, each checked against the decoder's limits.

/// Builds a record by appending fields to `bytes`, which it owns until the caller takes
/// them back. Every check mirrors one in `WireReader`, so what is written can be read.
public struct WireWriter {
    /// The bytes written so far (including whatever the writer was created with).
    public internal(set) var bytes: [UInt8]

    /// A writer that appends to `bytes`.
    public init(bytes: [UInt8] = []) { self.bytes = bytes }

    /// Appends one unsigned integer, little-endian.
    public mutating func write<T: FixedWidthInteger & UnsignedInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Overwrites the integer at `offset`, little-endian. Used to patch lengths once the
    /// body is known. The bytes `offset..<offset + size` must already have been written
    /// (like an array subscript, anything else is a programming error and traps).
    public mutating func set<T: FixedWidthInteger & UnsignedInteger>(_ value: T, at offset: Int) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            for (index, byte) in raw.enumerated() { bytes[offset + index] = byte }
        }
    }

    /// Appends a flag byte, 0 or 1.
    public mutating func writeBool(_ value: Bool) { write(UInt8(value ? 1 : 0)) }

    /// Appends a UInt16-length blob; its length must lie in `allowed`.
    public mutating func writeBlob(
        _ blob: [UInt8], field: String, allowed: ClosedRange<Int>
    ) throws(WireEncodeError) {
        try Self.check(blob.count, field: field, allowed: allowed)
        write(UInt16(blob.count))
        bytes.append(contentsOf: blob)
    }

    /// Appends a UInt16-length UTF-8 string; its byte length must lie in `allowed`.
    public mutating func writeString(
        _ string: String, field: String, allowed: ClosedRange<Int>
    ) throws(WireEncodeError) {
        let utf8 = string.utf8
        try Self.check(utf8.count, field: field, allowed: allowed)
        write(UInt16(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// Appends a flag byte and, if the string is present, the string.
    public mutating func writeOptionalString(
        _ string: String?, field: String, allowed: ClosedRange<Int>
    ) throws(WireEncodeError) {
        writeBool(string != nil)
        if let string { try writeString(string, field: field, allowed: allowed) }
    }

    /// Appends a UInt16 count then each element; the count must lie in `allowed`.
    mutating func writeList<Element: WireRepresentable>(
        _ elements: [Element], field: String, allowed: ClosedRange<Int>
    ) throws(WireEncodeError) {
        try Self.check(elements.count, field: field, allowed: allowed)
        write(UInt16(elements.count))
        for element in elements { try element.emit(into: &self) }
    }

    /// Refuses a length outside `allowed` (every caller's range lies within UInt16).
    private static func check(
        _ count: Int, field: String, allowed: ClosedRange<Int>
    ) throws(WireEncodeError) {
        guard count <= allowed.upperBound, count <= Int(UInt16.max) else { throw .limitExceeded(field) }
        guard count >= allowed.lowerBound else { throw .badValue(field) }
    }
}

/// A value with one wire layout: parsed from a reader, emitted into a writer. Parsing
/// validates every field; emitting refuses what parsing would refuse.
protocol WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError)
    func emit(into writer: inout WireWriter) throws(WireEncodeError)
}

extension UInt32: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) { self = try reader.read() }
    func emit(into writer: inout WireWriter) { writer.write(self) }
}
