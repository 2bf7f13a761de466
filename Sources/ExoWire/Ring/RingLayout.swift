// The byte layout of one single-producer/single-consumer ring, declared once: a header of
// three 32-bit words on their own cache lines, then `capacity` 16-byte descriptors.

/// Where each field of a ring lives, in bytes from the ring's start (docs/RINGS.md).
///
/// ```
/// offset  size  field
///      0     4  producer index  (written by the producer only; free-running u32)
///     64     4  consumer index  (written by the consumer only; free-running u32)
///    128     4  flags           (written by the consumer only; bit 0 = need-wakeup)
///    192  16*N  descriptors     (slot i at 192 + 16 * (index & (N - 1)))
/// ```
/// Every field is a native-endian `UInt32` (both sides run on one host). Each header word
/// sits alone on a 64-byte cache line so the two sides never write the same line.
public enum RingField {
    /// The producer's free-running count of entries published.
    public static let producerIndex = 0..<4
    /// The consumer's free-running count of entries taken.
    public static let consumerIndex = 64..<68
    /// `RingFlags` bits; the consumer sets need-wakeup before it sleeps.
    public static let flags = 128..<132
    /// Bytes before the first descriptor slot.
    public static let headerSize = 192

    /// Fields of one descriptor, relative to its slot.
    public enum Descriptor {
        /// The frame number.
        public static let frame = 0..<4
        /// Bytes used in the frame, counted from its first byte.
        public static let length = 4..<8
        /// `RingDescriptor.flags`; no bit is defined in layout version 1.
        public static let flags = 8..<12
        /// Written as zero by producers, never read by consumers.
        public static let reserved = 12..<16
        /// Bytes per slot: a power of two, so four slots share a cache line and none straddles one.
        public static let stride = 16
    }
}

/// The consumer's flag bits in a ring header.
public enum RingFlags {
    /// The consumer found the ring empty and may be asleep: the producer must kick it
    /// (write its eventfd) after publishing.
    public static let needWakeup: UInt32 = 1 << 0
}

/// Why a ring or session-rings layout cannot be built.
public enum RingLayoutError: Error, Equatable, Sendable {
    /// The capacity is not a power of two in `RingLayout.capacityRange`.
    case badCapacity(UInt32)
    /// The session-rings layout version is not one this code knows.
    case unsupportedVersion(UInt16)
}

/// The size and geometry of one ring. A value type: it describes memory, owns none.
public struct RingLayout: Equatable, Hashable, Sendable {
    /// Allowed capacities (each must also be a power of two). The upper bound keeps a ring
    /// under 1 MiB and far below 2^31, where free-running u32 arithmetic would break.
    public static let capacityRange: ClosedRange<UInt32> = 1...(1 << 16)

    /// Descriptor slots; a power of two.
    public let capacity: UInt32

    /// A layout for `capacity` slots; throws unless it is a power of two in `capacityRange`.
    public init(capacity: UInt32) throws(RingLayoutError) {
        guard Self.capacityRange.contains(capacity), capacity & (capacity - 1) == 0 else {
            throw .badCapacity(capacity)
        }
        self.capacity = capacity
    }

    /// `index & mask` is the slot of a free-running index.
    public var mask: UInt32 { capacity - 1 }

    /// Bytes the ring occupies: header plus slots (a multiple of 64 once capacity >= 4).
    public var byteCount: Int { RingField.headerSize + Int(capacity) * RingField.Descriptor.stride }

    /// Byte offset, from the ring's start, of the slot that free-running `index` lands in.
    public func slotOffset(_ index: UInt32) -> Int {
        RingField.headerSize + Int(index & mask) * RingField.Descriptor.stride
    }
}
