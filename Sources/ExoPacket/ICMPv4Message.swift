// ICMPv4 (RFC 792): a checked view over a message (echo, or an error quoting a datagram),
// a writable view, and the representation. The quoted datagram has its own view, ICMPv4Quote.

/// The type byte of an ICMPv4 message.
@frozen public struct ICMPv4Type: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let echoReply = ICMPv4Type(rawValue: 0)
    public static let destinationUnreachable = ICMPv4Type(rawValue: 3)
    public static let sourceQuench = ICMPv4Type(rawValue: 4)
    public static let redirect = ICMPv4Type(rawValue: 5)
    public static let echoRequest = ICMPv4Type(rawValue: 8)
    public static let timeExceeded = ICMPv4Type(rawValue: 11)
    public static let parameterProblem = ICMPv4Type(rawValue: 12)

    /// Echo request or reply.
    @inlinable public var isEcho: Bool { rawValue == 0 || rawValue == 8 }
    /// The error messages a host sends or acts on: destination unreachable, time exceeded,
    /// parameter problem. Each quotes the offending datagram's header and 8 bytes.
    @inlinable public var isError: Bool { rawValue == 3 || rawValue == 11 || rawValue == 12 }
}

/// A checked view of an ICMPv4 message (the whole IPv4 payload).
/// Borrows its bytes: use it only while they are lent (see `PacketBytes`).
@frozen public struct ICMPv4Message {
    /// Byte offsets of the fields.
    public enum Field {
        public static let type = 0
        public static let code = 1
        public static let checksum = 2..<4
        /// Echo: identifier. Errors: part of the "rest of header" word.
        public static let identifier = 4..<6
        /// Echo: sequence number.
        public static let sequence = 6..<8
        public static let restOfHeader = 4..<8
        /// Echo data, or the quoted datagram of an error.
        public static let data = 8
    }
    /// Bytes in the header.
    public static let headerLength = 8

    /// The whole message.
    public let bytes: PacketBytes

    @inlinable public init(checking bytes: PacketBytes) throws(PacketError) {
        guard bytes.count >= Self.headerLength else { throw .truncated }
        self.bytes = bytes
    }

    @inlinable init(unchecked bytes: PacketBytes) { self.bytes = bytes }

    @inlinable public var type: ICMPv4Type { ICMPv4Type(rawValue: bytes.u8(Field.type)) }
    @inlinable public var code: UInt8 { bytes.u8(Field.code) }
    @inlinable public var checksum: UInt16 { bytes.u16(Field.checksum.lowerBound) }
    @inlinable public var identifier: UInt16 { bytes.u16(Field.identifier.lowerBound) }
    @inlinable public var sequence: UInt16 { bytes.u16(Field.sequence.lowerBound) }
    @inlinable public var restOfHeader: UInt32 { bytes.u32(Field.restOfHeader.lowerBound) }
    /// Echo data, or an error's quoted datagram.
    @inlinable public var data: PacketBytes { bytes.dropFirst(Field.data) }
    /// True when the checksum over the whole message verifies.
    @inlinable public var checksumIsValid: Bool {
        var sum = InternetChecksum()
        sum.add(bytes)
        return sum.verifies
    }
}

/// The datagram an ICMP error quotes: an IPv4 header and at least the first 8 bytes of its
/// payload (the ports, for UDP and TCP). Its total length describes the original datagram,
/// not the quote, so it is not checked against the bytes. Borrows its bytes (see `PacketBytes`).
@frozen public struct ICMPv4Quote {
    /// Bytes of the original payload a quote must carry.
    public static let quotedPayload = 8

    public let bytes: PacketBytes

    /// Checks version 4, IHL ≥ 5, and header plus 8 bytes present.
    @inlinable public init(checking bytes: PacketBytes) throws(PacketError) {
        guard bytes.count >= IPv4Packet.minimumHeaderLength + Self.quotedPayload else { throw .truncated }
        let first = bytes.u8(IPv4Packet.Field.versionAndIHL)
        guard first >> 4 == 4, first & 0x0F >= 5 else { throw .malformed }
        guard Int(first & 0x0F) * 4 + Self.quotedPayload <= bytes.count else { throw .truncated }
        self.bytes = bytes
    }

    @inlinable public var headerLength: Int { Int(bytes.u8(IPv4Packet.Field.versionAndIHL) & 0x0F) * 4 }
    @inlinable public var `protocol`: IPProtocol { IPProtocol(rawValue: bytes.u8(IPv4Packet.Field.protocol)) }
    @inlinable public var source: IPv4Address { IPv4Address(bytes, at: IPv4Packet.Field.source.lowerBound) }
    @inlinable public var destination: IPv4Address { IPv4Address(bytes, at: IPv4Packet.Field.destination.lowerBound) }
    /// Offset of the quoted fragment in its datagram, in bytes; only offset 0 carries ports.
    @inlinable public var fragmentOffset: Int {
        Int(bytes.u16(IPv4Packet.Field.flagsAndFragmentOffset.lowerBound) & 0x1FFF) * 8
    }
    /// First two bytes of the quoted payload: the source port for UDP and TCP.
    @inlinable public var sourcePort: UInt16 { bytes.u16(headerLength) }
    /// Next two bytes: the destination port for UDP and TCP.
    @inlinable public var destinationPort: UInt16 { bytes.u16(headerLength + 2) }
    /// First byte of the quoted payload: the ICMP type, for a quoted ICMP message.
    @inlinable public var quotedICMPType: ICMPv4Type { ICMPv4Type(rawValue: bytes.u8(headerLength)) }
    /// Bytes 4-5 of the quoted payload: the identifier, for a quoted echo message.
    @inlinable public var echoIdentifier: UInt16 { bytes.u16(headerLength + 4) }
}

/// A writable view of an ICMPv4 message.
/// Borrows its bytes: use it only while they are lent (see `PacketBytes`).
@frozen public struct MutableICMPv4Message {
    public let bytes: MutablePacketBytes

    @inlinable public init(checking bytes: MutablePacketBytes) throws(PacketError) {
        guard bytes.count >= ICMPv4Message.headerLength else { throw .truncated }
        self.bytes = bytes
    }

    @inlinable public var view: ICMPv4Message { ICMPv4Message(unchecked: bytes.readOnly) }
    @inlinable public func setType(_ type: ICMPv4Type) { bytes.setU8(ICMPv4Message.Field.type, type.rawValue) }
    @inlinable public func setCode(_ code: UInt8) { bytes.setU8(ICMPv4Message.Field.code, code) }
    @inlinable public func setRestOfHeader(_ value: UInt32) { bytes.setU32(ICMPv4Message.Field.restOfHeader.lowerBound, value) }
    @inlinable public var data: MutablePacketBytes { bytes.dropFirst(ICMPv4Message.Field.data) }
    /// Computes the checksum over the whole message (write the data first).
    @inlinable public func fillChecksum() {
        bytes.setU16(ICMPv4Message.Field.checksum.lowerBound, 0)
        bytes.setU16(ICMPv4Message.Field.checksum.lowerBound, InternetChecksum.of(bytes.readOnly))
    }
}

/// The meaning of an ICMPv4 message: an echo, or an error about a quoted datagram.
public enum ICMPv4Repr: Hashable, Sendable {
    case echoRequest(identifier: UInt16, sequence: UInt16, dataLength: Int)
    case echoReply(identifier: UInt16, sequence: UInt16, dataLength: Int)
    /// An error of type `type` (see `ICMPv4Type.isError`); `quoteLength` bytes of data follow.
    case error(type: ICMPv4Type, code: UInt8, restOfHeader: UInt32, quoteLength: Int)

    /// Reads a message whose checksum verifies; an error must quote a well-formed header.
    public init(parsing message: ICMPv4Message) throws(PacketError) {
        guard message.checksumIsValid else { throw .badChecksum }
        let type = message.type
        if type == .echoRequest || type == .echoReply {
            guard message.code == 0 else { throw .malformed }
            let length = message.data.count
            self = type == .echoRequest
                ? .echoRequest(identifier: message.identifier, sequence: message.sequence, dataLength: length)
                : .echoReply(identifier: message.identifier, sequence: message.sequence, dataLength: length)
        } else if type.isError {
            _ = try ICMPv4Quote(checking: message.data)
            self = .error(type: type, code: message.code, restOfHeader: message.restOfHeader, quoteLength: message.data.count)
        } else {
            throw .malformed
        }
    }

    /// Header plus data.
    public var length: Int {
        switch self {
        case .echoRequest(_, _, let n), .echoReply(_, _, let n), .error(_, _, _, let n): ICMPv4Message.headerLength + n
        }
    }

    /// Writes the header at the start of `bytes`, whose data the caller has already written,
    /// and fills the checksum over exactly `length` bytes.
    @discardableResult
    public func emit(into bytes: MutablePacketBytes) throws(PacketError) -> MutableICMPv4Message {
        guard length >= ICMPv4Message.headerLength else { throw .malformed }
        guard bytes.count >= length else { throw .truncated }
        let message = try MutableICMPv4Message(checking: bytes.prefix(length))
        switch self {
        case .echoRequest(let id, let seq, _), .echoReply(let id, let seq, _):
            message.setType(self.isRequest ? .echoRequest : .echoReply)
            message.setCode(0)
            message.setRestOfHeader(UInt32(id) << 16 | UInt32(seq))
        case .error(let type, let code, let rest, _):
            message.setType(type)
            message.setCode(code)
            message.setRestOfHeader(rest)
        }
        message.fillChecksum()
        return message
    }

    var isRequest: Bool {
        if case .echoRequest = self { return true }
        return false
    }
}
