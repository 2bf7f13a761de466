// The meaning of a TCP header (RFC 9293 §3.1): what the stack's state machine reads from a
// received segment and hands over to be written. Parsing verifies the checksum and the
// options; emitting writes header and options around a payload the caller already placed.

/// A TCP header as values. `window` is the raw 16-bit field: scaling it is the connection's
/// business, since only the connection knows the negotiated shift.
public struct TCPRepr: Hashable, Sendable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var sequenceNumber: TCPSequenceNumber
    public var acknowledgementNumber: TCPSequenceNumber
    public var flags: TCPFlags
    public var window: UInt16
    public var urgentPointer: UInt16
    public var options: TCPOptions
    /// Bytes after the header.
    public var payloadLength: Int

    public init(
        sourcePort: UInt16, destinationPort: UInt16, sequenceNumber: TCPSequenceNumber,
        acknowledgementNumber: TCPSequenceNumber, flags: TCPFlags, window: UInt16, urgentPointer: UInt16 = 0,
        options: TCPOptions = TCPOptions(), payloadLength: Int = 0
    ) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.sequenceNumber = sequenceNumber
        self.acknowledgementNumber = acknowledgementNumber
        self.flags = flags
        self.window = window
        self.urgentPointer = urgentPointer
        self.options = options
        self.payloadLength = payloadLength
    }

    /// Reads a checked segment whose bytes are exactly the IPv4 payload (trimmed to the IPv4
    /// total length). A wrong checksum is `.badChecksum`; port 0 on either side or malformed
    /// options are `.malformed`.
    public init(parsing segment: TCPHeader, source: IPv4Address, destination: IPv4Address) throws(PacketError) {
        guard segment.checksumIsValid(source: source, destination: destination) else { throw .badChecksum }
        // Port 0 is reserved (RFC 6335 §6): no connection can have it on either side.
        guard segment.sourcePort != 0, segment.destinationPort != 0 else { throw .malformed }
        self.init(
            sourcePort: segment.sourcePort, destinationPort: segment.destinationPort,
            sequenceNumber: TCPSequenceNumber(segment.sequenceNumber),
            acknowledgementNumber: TCPSequenceNumber(segment.acknowledgementNumber), flags: segment.flags,
            window: segment.window, urgentPointer: segment.urgentPointer,
            options: try TCPOptions(parsing: segment.options),
            payloadLength: segment.bytes.count - segment.headerLength)
    }

    /// Bytes emit writes before the payload: 20 plus the options.
    public var headerLength: Int { TCPHeader.minimumLength + options.encodedLength }

    /// Header plus payload.
    public var length: Int { headerLength + payloadLength }

    /// Writes header and options at the start of `bytes`, whose payload the caller has
    /// already written at offset `headerLength`, and fills the checksum over the
    /// pseudo-header, header and payload. Returns `length`. Control bits other than the
    /// eight of `TCPFlags` are written as zero.
    @discardableResult
    public func emit(into bytes: MutablePacketBytes, source: IPv4Address, destination: IPv4Address) throws(PacketError)
        -> Int
    {
        guard payloadLength >= 0, length <= Int(UInt16.max) else { throw .malformed }
        guard bytes.count >= length else { throw .truncated }
        let field = TCPHeader.Field.self
        bytes.setU16(field.sourcePort.lowerBound, sourcePort)
        bytes.setU16(field.destinationPort.lowerBound, destinationPort)
        bytes.setU32(field.sequenceNumber.lowerBound, sequenceNumber.rawValue)
        bytes.setU32(field.acknowledgementNumber.lowerBound, acknowledgementNumber.rawValue)
        let dataOffsetWords = UInt16(headerLength / 4)
        bytes.setU16(field.dataOffsetAndFlags.lowerBound, dataOffsetWords << 12 | (flags.rawValue & 0x00FF))
        bytes.setU16(field.window.lowerBound, window)
        bytes.setU16(field.checksum.lowerBound, 0)
        bytes.setU16(field.urgentPointer.lowerBound, urgentPointer)
        options.emit(into: bytes.slice(field.options, headerLength - TCPHeader.minimumLength))
        var sum = InternetChecksum(
            pseudoHeaderSource: source, destination: destination, protocol: .tcp, length: UInt16(length))
        sum.add(bytes.readOnly.prefix(length))
        bytes.setU16(field.checksum.lowerBound, sum.value)
        return length
    }
}
