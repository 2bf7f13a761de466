// Structured values drawn from a fuzzer's bytes, front to back. Past the end every draw is
// zero, so every byte string is a valid input and the fuzzer never wastes a run on a length.

/// A cursor over borrowed fuzz input (valid only while the input is lent to the target).
struct FuzzBytes {
    private let bytes: UnsafeRawBufferPointer
    private var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Bytes not yet drawn.
    var remaining: Int { bytes.count - offset }

    var isEmpty: Bool { remaining == 0 }

    mutating func byte() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// Little-endian, as a fuzzer's integer comparisons see it.
    mutating func uint16() -> UInt16 { UInt16(byte()) | UInt16(byte()) << 8 }

    mutating func uint32() -> UInt32 { UInt32(uint16()) | UInt32(uint16()) << 16 }

    /// Up to `count` bytes (fewer at the end of the input).
    mutating func take(_ count: Int) -> UnsafeRawBufferPointer {
        let end = offset + min(max(count, 0), remaining)
        defer { offset = end }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<end])
    }

    /// Everything not yet drawn.
    mutating func rest() -> UnsafeRawBufferPointer { take(remaining) }
}
