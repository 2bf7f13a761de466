// UDP (RFC 768): a checked view over a datagram, a writable view, and the representation.
// The checksum covers the IPv4 pseudo-header; zero on the wire means "not computed".

/// A checked view of a UDP datagram: the length field is ≥ 8 and within the bytes, so
/// the accessors are infallible. Bytes past `length` are not part of the datagram.
/// Borrows its bytes: use it only while they are lent (see `PacketBytes`).
@frozen public struct UDPDatagram {
    /// Byte offsets of the header fields.
    public enum Field {
        public static let sourcePort = 0..<2
        public static let destinationPort = 2..<4
        public static let length = 4..<6
        public static let checksum = 6..<8
        /// Where the payload starts.
        public static let payload = 8
    }
    /// Bytes in the header.
    public static let headerLength = 8

    public let bytes: PacketBytes

    @inlinable public init(checking bytes: PacketBytes) throws(PacketError) {
        guard bytes.count >= Self.headerLength else { throw .truncated }
        let length = Int(bytes.u16(Field.length.lowerBound))
        guard length >= Self.headerLength else { throw .malformed }
        guard length <= bytes.count else { throw .truncated }
        self.bytes = bytes
    }

    @inlinable init(unchecked bytes: PacketBytes) { self.bytes = bytes }

    @inlinable public var sourcePort: UInt16 { bytes.u16(Field.sourcePort.lowerBound) }
    @inlinable public var destinationPort: UInt16 { bytes.u16(Field.destinationPort.lowerBound) }
    /// Header plus payload, from the length field.
    @inlinable public var length: Int { Int(bytes.u16(Field.length.lowerBound)) }
    @inlinable public var checksum: UInt16 { bytes.u16(Field.checksum.lowerBound) }
    @inlinable public var payload: PacketBytes { bytes.slice(Field.payload, length - Self.headerLength) }

    /// True when the checksum is absent (zero) or verifies over the pseudo-header and datagram.
    @inlinable public func checksumIsValid(source: IPv4Address, destination: IPv4Address) -> Bool {
        guard checksum != 0 else { return true }
        var sum = InternetChecksum(pseudoHeaderSource: source, destination: destination, protocol: .udp, length: UInt16(length))
        sum.add(bytes.prefix(length))
        return sum.verifies
    }
}

/// A writable view of a UDP datagram, checked like `UDPDatagram`.
/// Borrows its bytes: use it only while they are lent (see `PacketBytes`).
@frozen public struct MutableUDPDatagram {
    public let bytes: MutablePacketBytes

    @inlinable public init(checking bytes: MutablePacketBytes) throws(PacketError) {
        _ = try UDPDatagram(checking: bytes.readOnly)
        self.bytes = bytes
    }

    @inlinable public var view: UDPDatagram { UDPDatagram(unchecked: bytes.readOnly) }
    @inlinable public func setSourcePort(_ port: UInt16) { bytes.setU16(UDPDatagram.Field.sourcePort.lowerBound, port) }
    @inlinable public func setDestinationPort(_ port: UInt16) {
        bytes.setU16(UDPDatagram.Field.destinationPort.lowerBound, port)
    }
    @inlinable public var payload: MutablePacketBytes {
        bytes.slice(UDPDatagram.Field.payload, view.length - UDPDatagram.headerLength)
    }
    /// Computes the checksum over pseudo-header, header and payload (write the payload first).
    @inlinable public func fillChecksum(source: IPv4Address, destination: IPv4Address) {
        let length = view.length
        bytes.setU16(UDPDatagram.Field.checksum.lowerBound, 0)
        var sum = InternetChecksum(pseudoHeaderSource: source, destination: destination, protocol: .udp, length: UInt16(length))
        sum.add(bytes.readOnly.prefix(length))
        let value = sum.value
        // RFC 768: a computed zero is sent as all ones; zero means "no checksum".
        bytes.setU16(UDPDatagram.Field.checksum.lowerBound, value == 0 ? 0xFFFF : value)
    }
}

/// The meaning of a UDP header.
public struct UDPRepr: Hashable, Sendable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var payloadLength: Int

    public init(sourcePort: UInt16, destinationPort: UInt16, payloadLength: Int) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.payloadLength = payloadLength
    }

    /// Reads a checked datagram; port 0 as destination and a wrong checksum are refused.
    public init(parsing datagram: UDPDatagram, source: IPv4Address, destination: IPv4Address) throws(PacketError) {
        guard datagram.destinationPort != 0 else { throw .malformed }
        guard datagram.checksumIsValid(source: source, destination: destination) else { throw .badChecksum }
        self.init(
            sourcePort: datagram.sourcePort, destinationPort: datagram.destinationPort,
            payloadLength: datagram.length - UDPDatagram.headerLength)
    }

    /// Header plus payload.
    public var length: Int { UDPDatagram.headerLength + payloadLength }

    /// Writes the header at the start of `bytes`, whose payload bytes the caller has already
    /// written, and fills the checksum.
    @discardableResult
    public func emit(into bytes: MutablePacketBytes, source: IPv4Address, destination: IPv4Address) throws(PacketError)
        -> MutableUDPDatagram
    {
        guard payloadLength >= 0, length <= Int(UInt16.max) else { throw .malformed }
        guard bytes.count >= length else { throw .truncated }
        bytes.setU16(UDPDatagram.Field.length.lowerBound, UInt16(length))
        let datagram = try MutableUDPDatagram(checking: bytes.prefix(length))
        datagram.setSourcePort(sourcePort)
        datagram.setDestinationPort(destinationPort)
        datagram.fillChecksum(source: source, destination: destination)
        return datagram
    }
}
