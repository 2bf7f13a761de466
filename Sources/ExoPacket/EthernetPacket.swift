// Ethernet II: a checked view over a frame (destination, source, type, payload) and its
// representation. A VLAN tag is detected, never skipped: tagged frames are someone's to refuse.

/// A checked view of an Ethernet II frame (no preamble, no FCS).
/// Borrows its bytes: use it only while they are lent (see `PacketBytes`).
@frozen public struct EthernetPacket {
    /// Byte offsets of the header fields.
    public enum Field {
        public static let destination = 0..<6
        public static let source = 6..<12
        public static let etherType = 12..<14
        /// Where the payload starts.
        public static let payload = 14
    }
    /// Bytes in the header.
    public static let headerLength = 14
    /// Bytes of payload below which a frame on the wire is padded (60-byte minimum frame).
    public static let minimumPayload = 46

    /// The whole frame.
    public let bytes: PacketBytes

    /// Checks that `bytes` hold a whole header; afterwards every accessor is infallible.
    @inlinable public init(checking bytes: PacketBytes) throws(PacketError) {
        guard bytes.count >= Self.headerLength else { throw .truncated }
        self.bytes = bytes
    }

    @inlinable public var destination: MACAddress { MACAddress(bytes, at: Field.destination.lowerBound) }
    @inlinable public var source: MACAddress { MACAddress(bytes, at: Field.source.lowerBound) }
    @inlinable public var etherType: EtherType { EtherType(rawValue: bytes.u16(Field.etherType.lowerBound)) }
    /// True when the frame carries an 802.1Q/802.1ad tag where the type should be.
    @inlinable public var hasVLANTag: Bool { etherType.isVLANTag }
    /// Everything after the header (including any padding).
    @inlinable public var payload: PacketBytes { bytes.dropFirst(Field.payload) }
}

/// A writable view of an Ethernet II frame, for building one in place.
/// Borrows its bytes: use it only while they are lent (see `PacketBytes`).
@frozen public struct MutableEthernetPacket {
    public let bytes: MutablePacketBytes

    @inlinable public init(checking bytes: MutablePacketBytes) throws(PacketError) {
        guard bytes.count >= EthernetPacket.headerLength else { throw .truncated }
        self.bytes = bytes
    }

    /// The same frame, read-only.
    @inlinable public var view: EthernetPacket { EthernetPacket(unchecked: bytes.readOnly) }

    @inlinable public func setDestination(_ mac: MACAddress) { mac.write(to: bytes, at: EthernetPacket.Field.destination.lowerBound) }
    @inlinable public func setSource(_ mac: MACAddress) { mac.write(to: bytes, at: EthernetPacket.Field.source.lowerBound) }
    @inlinable public func setEtherType(_ type: EtherType) { bytes.setU16(EthernetPacket.Field.etherType.lowerBound, type.rawValue) }
    @inlinable public var payload: MutablePacketBytes { bytes.dropFirst(EthernetPacket.Field.payload) }
}

extension EthernetPacket {
    /// For a mutable view, which checked the length already.
    @inlinable init(unchecked bytes: PacketBytes) { self.bytes = bytes }
}

/// The meaning of an Ethernet II header.
public struct EthernetRepr: Hashable, Sendable {
    public var destination: MACAddress
    public var source: MACAddress
    public var etherType: EtherType

    public init(destination: MACAddress, source: MACAddress, etherType: EtherType) {
        self.destination = destination
        self.source = source
        self.etherType = etherType
    }

    /// Reads the header of a checked frame.
    public init(parsing frame: EthernetPacket) {
        self.init(destination: frame.destination, source: frame.source, etherType: frame.etherType)
    }

    /// Writes the header into the first 14 bytes of `frame`.
    public func emit(into frame: MutableEthernetPacket) {
        frame.setDestination(destination)
        frame.setSource(source)
        frame.setEtherType(etherType)
    }
}
