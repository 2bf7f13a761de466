// The 16-byte header in front of every record, its field offsets (declared only here),
// and the checks that need nothing but the header.

/// The fixed header of a record: which message, in which version, answering which request,
/// and how long the body is. All fields little-endian.
public struct MessageHeader: Equatable, Sendable {
    public var magic: UInt32
    public var version: UInt16
    /// Which message the body holds (`MessageKind`); kept raw so unknown kinds can be reported.
    public var kind: UInt16
    /// Chosen by the client, echoed by the reply; 0 on events.
    public var requestID: UInt32
    /// Bytes after the header; equals the record length minus `WireLimits.headerSize`.
    public var bodyLength: UInt32

    public init(magic: UInt32 = WireLimits.magic, version: UInt16, kind: UInt16, requestID: UInt32, bodyLength: UInt32) {
        self.magic = magic
        self.version = version
        self.kind = kind
        self.requestID = requestID
        self.bodyLength = bodyLength
    }
}

/// Byte offsets of the header fields: the one place they are declared.
enum HeaderField {
    static let magic = 0
    static let version = 4
    static let kind = 6
    static let requestID = 8
    static let bodyLength = 12
    static let end = 16
}

extension MessageHeader {
    /// Reads the header fields at their offsets. Checks the magic and nothing else, so the
    /// daemon can still learn the request id of a record whose body or length is bad.
    static func parse(_ bytes: UnsafeRawBufferPointer) throws(WireDecodeError) -> MessageHeader {
        guard bytes.count >= HeaderField.end else { throw .truncated }
        let reader = WireReader(bytes)
        let header = MessageHeader(
            magic: try reader.peek(at: HeaderField.magic), version: try reader.peek(at: HeaderField.version),
            kind: try reader.peek(at: HeaderField.kind), requestID: try reader.peek(at: HeaderField.requestID),
            bodyLength: try reader.peek(at: HeaderField.bodyLength))
        guard header.magic == WireLimits.magic else { throw .badMagic }
        return header
    }

    /// Reserves a header at the writer's end; returns where it starts, for `finish`.
    static func begin(in writer: inout WireWriter) -> Int {
        let start = writer.bytes.count
        writer.bytes.append(contentsOf: repeatElement(0, count: HeaderField.end))
        return start
    }

    /// Fills in the header reserved at `start`, taking the body length from the writer.
    static func finish(
        at start: Int, in writer: inout WireWriter, version: UInt16, kind: MessageKind, requestID: UInt32
    ) {
        let bodyLength = UInt32(writer.bytes.count - start - HeaderField.end)
        writer.set(WireLimits.magic, at: start + HeaderField.magic)
        writer.set(version, at: start + HeaderField.version)
        writer.set(kind.rawValue, at: start + HeaderField.kind)
        writer.set(requestID, at: start + HeaderField.requestID)
        writer.set(bodyLength, at: start + HeaderField.bodyLength)
    }
}
