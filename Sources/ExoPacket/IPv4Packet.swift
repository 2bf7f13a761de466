// IPv4 (RFC 791): a checked view over a datagram (version, IHL, lengths, fragment fields,
// header checksum) and a writable view for building one. The representation is IPv4Repr.

/// A checked view of an IPv4 datagram. Checking guarantees version 4, IHL ≥ 5 and
/// header length ≤ total length ≤ bytes available, so every accessor is infallible.
/// Bytes after `totalLength` (Ethernet padding) are not part of the datagram.
/// Borrows its bytes: use it only while they are lent (see `PacketBytes`).
@frozen public struct IPv4Packet {
    /// Byte offsets of the header fields.
    public enum Field {
        public static let versionAndIHL = 0
        public static let dscpAndECN = 1
        public static let totalLength = 2..<4
        public static let identification = 4..<6
        public static let flagsAndFragmentOffset = 6..<8
        public static let timeToLive = 8
        public static let `protocol` = 9
        public static let checksum = 10..<12
        public static let source = 12..<16
        public static let destination = 16..<20
        /// Where options start, when IHL > 5.
        public static let options = 20
    }
    /// Bytes in a header without options.
    public static let minimumHeaderLength = 20
    /// The don't-fragment flag in the flags-and-offset word.
    public static let dontFragmentBit: UInt16 = 0x4000
    /// The more-fragments flag.
    public static let moreFragmentsBit: UInt16 = 0x2000
    /// The reserved ("evil") bit.
    public static let reservedBit: UInt16 = 0x8000

    /// The bytes the view was checked over (may extend past `totalLength`).
    public let bytes: PacketBytes

    /// Validates version, IHL and the two lengths against each other and against `bytes`.
    @inlinable public init(checking bytes: PacketBytes) throws(PacketError) {
        guard bytes.count >= Self.minimumHeaderLength else { throw .truncated }
        let first = bytes.u8(Field.versionAndIHL)
        guard first >> 4 == 4 else { throw .malformed }
        let headerLength = Int(first & 0x0F) * 4
        let totalLength = Int(bytes.u16(Field.totalLength.lowerBound))
        guard headerLength >= Self.minimumHeaderLength, headerLength <= totalLength else { throw .malformed }
        guard totalLength <= bytes.count else { throw .truncated }
        self.bytes = bytes
    }

    @inlinable init(unchecked bytes: PacketBytes) { self.bytes = bytes }

    @inlinable public var version: UInt8 { bytes.u8(Field.versionAndIHL) >> 4 }
    /// IHL in bytes (20...60).
    @inlinable public var headerLength: Int { Int(bytes.u8(Field.versionAndIHL) & 0x0F) * 4 }
    /// True when the header carries options (IHL > 5), source routing among them.
    @inlinable public var hasOptions: Bool { headerLength > Self.minimumHeaderLength }
    @inlinable public var dscp: UInt8 { bytes.u8(Field.dscpAndECN) >> 2 }
    @inlinable public var ecn: UInt8 { bytes.u8(Field.dscpAndECN) & 0x03 }
    @inlinable public var totalLength: Int { Int(bytes.u16(Field.totalLength.lowerBound)) }
    @inlinable public var identification: UInt16 { bytes.u16(Field.identification.lowerBound) }
    @inlinable var flagsAndOffset: UInt16 { bytes.u16(Field.flagsAndFragmentOffset.lowerBound) }
    @inlinable public var reservedFlag: Bool { flagsAndOffset & Self.reservedBit != 0 }
    @inlinable public var dontFragment: Bool { flagsAndOffset & Self.dontFragmentBit != 0 }
    @inlinable public var moreFragments: Bool { flagsAndOffset & Self.moreFragmentsBit != 0 }
    /// Offset of this fragment's data in the original datagram, in bytes.
    @inlinable public var fragmentOffset: Int { Int(flagsAndOffset & 0x1FFF) * 8 }
    /// True for any fragment (first, middle or last) of a fragmented datagram.
    @inlinable public var isFragment: Bool { flagsAndOffset & (Self.moreFragmentsBit | 0x1FFF) != 0 }
    @inlinable public var timeToLive: UInt8 { bytes.u8(Field.timeToLive) }
    @inlinable public var `protocol`: IPProtocol { IPProtocol(rawValue: bytes.u8(Field.protocol)) }
    @inlinable public var checksum: UInt16 { bytes.u16(Field.checksum.lowerBound) }
    @inlinable public var source: IPv4Address { IPv4Address(bytes, at: Field.source.lowerBound) }
    @inlinable public var destination: IPv4Address { IPv4Address(bytes, at: Field.destination.lowerBound) }
    /// The option bytes (empty when IHL is 5).
    @inlinable public var options: PacketBytes { bytes.slice(Field.options, headerLength - Self.minimumHeaderLength) }
    /// The header, options included.
    @inlinable public var header: PacketBytes { bytes.prefix(headerLength) }
    /// The datagram's payload: from the end of the header to `totalLength`.
    @inlinable public var payload: PacketBytes { bytes.slice(headerLength, totalLength - headerLength) }
    /// True when the header checksum verifies.
    @inlinable public var checksumIsValid: Bool {
        var sum = InternetChecksum()
        sum.add(header)
        return sum.verifies
    }
}

/// A writable view of an IPv4 datagram, checked like `IPv4Packet`.
/// Borrows its bytes: use it only while they are lent (see `PacketBytes`).
@frozen public struct MutableIPv4Packet {
    public let bytes: MutablePacketBytes

    @inlinable public init(checking bytes: MutablePacketBytes) throws(PacketError) {
        _ = try IPv4Packet(checking: bytes.readOnly)
        self.bytes = bytes
    }

    /// The same datagram, read-only.
    @inlinable public var view: IPv4Packet { IPv4Packet(unchecked: bytes.readOnly) }

    @inlinable public func setTimeToLive(_ ttl: UInt8) { bytes.setU8(IPv4Packet.Field.timeToLive, ttl) }
    @inlinable public func setIdentification(_ id: UInt16) { bytes.setU16(IPv4Packet.Field.identification.lowerBound, id) }
    @inlinable public func setSource(_ address: IPv4Address) { address.write(to: bytes, at: IPv4Packet.Field.source.lowerBound) }
    @inlinable public func setDestination(_ address: IPv4Address) {
        address.write(to: bytes, at: IPv4Packet.Field.destination.lowerBound)
    }
    /// Sets the flags and fragment offset (`offset` in bytes, a multiple of 8 below 65,536).
    @inlinable public func setFragment(dontFragment: Bool, moreFragments: Bool, offset: Int) {
        precondition(offset >= 0 && offset % 8 == 0 && offset < 65_536, "bad fragment offset")
        let flags = (dontFragment ? IPv4Packet.dontFragmentBit : 0) | (moreFragments ? IPv4Packet.moreFragmentsBit : 0)
        bytes.setU16(IPv4Packet.Field.flagsAndFragmentOffset.lowerBound, flags | UInt16(offset / 8))
    }
    /// Recomputes and stores the header checksum.
    @inlinable public func fillChecksum() {
        bytes.setU16(IPv4Packet.Field.checksum.lowerBound, 0)
        bytes.setU16(IPv4Packet.Field.checksum.lowerBound, InternetChecksum.of(view.header))
    }
    /// The datagram's payload, writable.
    @inlinable public var payload: MutablePacketBytes {
        let packet = view
        return bytes.slice(packet.headerLength, packet.totalLength - packet.headerLength)
    }
}

/// The meaning of an IPv4 header without options (the only kind this project sends).
public struct IPv4Repr: Hashable, Sendable {
    public var source: IPv4Address
    public var destination: IPv4Address
    public var `protocol`: IPProtocol
    /// Bytes after the header.
    public var payloadLength: Int
    public var timeToLive: UInt8
    public var identification: UInt16
    public var dontFragment: Bool

    public init(
        source: IPv4Address, destination: IPv4Address, protocol proto: IPProtocol, payloadLength: Int,
        timeToLive: UInt8 = 64, identification: UInt16 = 0, dontFragment: Bool = true
    ) {
        self.source = source
        self.destination = destination
        self.protocol = proto
        self.payloadLength = payloadLength
        self.timeToLive = timeToLive
        self.identification = identification
        self.dontFragment = dontFragment
    }

    /// Reads an unfragmented datagram whose checksum verifies; options are refused.
    public init(parsing packet: IPv4Packet) throws(PacketError) {
        guard packet.checksumIsValid else { throw .badChecksum }
        guard !packet.hasOptions, !packet.isFragment, !packet.reservedFlag else { throw .malformed }
        self.init(
            source: packet.source, destination: packet.destination, protocol: packet.protocol,
            payloadLength: packet.totalLength - packet.headerLength, timeToLive: packet.timeToLive,
            identification: packet.identification, dontFragment: packet.dontFragment)
    }

    /// Bytes of header plus payload.
    public var totalLength: Int { IPv4Packet.minimumHeaderLength + payloadLength }

    /// Writes the 20-byte header, checksum included, at the start of `bytes`, and returns
    /// the writable datagram view (its payload is the caller's to fill).
    @discardableResult
    public func emit(into bytes: MutablePacketBytes) throws(PacketError) -> MutableIPv4Packet {
        guard payloadLength >= 0, totalLength <= Int(UInt16.max) else { throw .malformed }
        guard bytes.count >= totalLength else { throw .truncated }
        bytes.setU8(IPv4Packet.Field.versionAndIHL, 0x45)
        bytes.setU8(IPv4Packet.Field.dscpAndECN, 0)
        bytes.setU16(IPv4Packet.Field.totalLength.lowerBound, UInt16(totalLength))
        bytes.setU8(IPv4Packet.Field.protocol, `protocol`.rawValue)
        let packet = try MutableIPv4Packet(checking: bytes.prefix(totalLength))
        packet.setIdentification(identification)
        packet.setFragment(dontFragment: dontFragment, moreFragments: false, offset: 0)
        packet.setTimeToLive(timeToLive)
        packet.setSource(source)
        packet.setDestination(destination)
        packet.fillChecksum()
        return packet
    }
}
