// TCP (RFC 9293) header view: ports, sequence numbers, data offset and flags. Enough for
// demultiplexing and the egress guard; the stack's segment logic lives in ExOS.

/// TCP control bits.
public struct TCPFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let fin = TCPFlags(rawValue: 1 << 0)
    public static let syn = TCPFlags(rawValue: 1 << 1)
    public static let rst = TCPFlags(rawValue: 1 << 2)
    public static let psh = TCPFlags(rawValue: 1 << 3)
    public static let ack = TCPFlags(rawValue: 1 << 4)
    public static let urg = TCPFlags(rawValue: 1 << 5)
    public static let ece = TCPFlags(rawValue: 1 << 6)
    public static let cwr = TCPFlags(rawValue: 1 << 7)
}

/// A checked view of a TCP header: data offset ≥ 5 and the header (options included)
/// within the bytes.
/// Borrows its bytes: use it only while they are lent (see `PacketBytes`).
@frozen public struct TCPHeader {
    /// Byte offsets of the header fields.
    public enum Field {
        public static let sourcePort = 0..<2
        public static let destinationPort = 2..<4
        public static let sequenceNumber = 4..<8
        public static let acknowledgementNumber = 8..<12
        public static let dataOffsetAndFlags = 12..<14
        public static let window = 14..<16
        public static let checksum = 16..<18
        public static let urgentPointer = 18..<20
        public static let options = 20
    }
    /// Bytes in a header without options.
    public static let minimumLength = 20

    /// The segment (header and payload).
    public let bytes: PacketBytes

    @inlinable public init(checking bytes: PacketBytes) throws(PacketError) {
        guard bytes.count >= Self.minimumLength else { throw .truncated }
        let headerLength = Int(bytes.u8(Field.dataOffsetAndFlags.lowerBound) >> 4) * 4
        guard headerLength >= Self.minimumLength else { throw .malformed }
        guard headerLength <= bytes.count else { throw .truncated }
        self.bytes = bytes
    }

    @inlinable public var sourcePort: UInt16 { bytes.u16(Field.sourcePort.lowerBound) }
    @inlinable public var destinationPort: UInt16 { bytes.u16(Field.destinationPort.lowerBound) }
    @inlinable public var sequenceNumber: UInt32 { bytes.u32(Field.sequenceNumber.lowerBound) }
    @inlinable public var acknowledgementNumber: UInt32 { bytes.u32(Field.acknowledgementNumber.lowerBound) }
    /// The data offset in bytes (20...60).
    @inlinable public var headerLength: Int { Int(bytes.u8(Field.dataOffsetAndFlags.lowerBound) >> 4) * 4 }
    @inlinable public var flags: TCPFlags { TCPFlags(rawValue: bytes.u16(Field.dataOffsetAndFlags.lowerBound) & 0x00FF) }
    @inlinable public var window: UInt16 { bytes.u16(Field.window.lowerBound) }
    @inlinable public var checksum: UInt16 { bytes.u16(Field.checksum.lowerBound) }
    @inlinable public var urgentPointer: UInt16 { bytes.u16(Field.urgentPointer.lowerBound) }
    @inlinable public var options: PacketBytes { bytes.slice(Field.options, headerLength - Self.minimumLength) }
    @inlinable public var payload: PacketBytes { bytes.dropFirst(headerLength) }

    /// True when the checksum verifies over the pseudo-header and the whole segment.
    @inlinable public func checksumIsValid(source: IPv4Address, destination: IPv4Address) -> Bool {
        guard bytes.count <= Int(UInt16.max) else { return false }
        var sum = InternetChecksum(pseudoHeaderSource: source, destination: destination, protocol: .tcp, length: UInt16(bytes.count))
        sum.add(bytes)
        return sum.verifies
    }
}
