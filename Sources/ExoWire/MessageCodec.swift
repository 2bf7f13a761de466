// Whole records: a message is a header plus the body of one request, reply or event.
// Decoding checks the header, then the body, then that nothing is left over.

/// One record on the control socket.
public enum Message: Equatable, Sendable {
    /// A client request; the client picks `id`, and the reply echoes it.
    case request(id: UInt32, Request)
    /// The daemon's answer to the request with this `id`.
    case reply(id: UInt32, Reply)
    /// An unsolicited daemon message; request id 0 on the wire.
    case event(Event)

    /// The header kind of this message.
    public var kind: MessageKind {
        switch self {
        case .request(_, let request): request.kind
        case .reply(_, let reply): reply.kind
        case .event(let event): event.kind
        }
    }

    /// The header's request id (0 for events).
    public var requestID: UInt32 {
        switch self {
        case .request(let id, _), .reply(let id, _): id
        case .event: 0
        }
    }
}

/// Encodes and decodes whole records. Pure: no I/O, no shared state, safe from any thread.
public enum MessageCodec {
    /// The record for `message` in protocol `version`, as a new array the caller owns.
    /// Throws if the message breaks a limit (batch, page, name, token, record size) or if a
    /// non-hello message is asked for in a version this codec does not speak.
    public static func encode(
        _ message: Message, version: UInt16 = WireLimits.maxVersion
    ) throws(WireEncodeError) -> [UInt8] {
        var bytes: [UInt8] = []
        try encode(message, version: version, into: &bytes)
        return bytes
    }

    /// Appends the record for `message` to `bytes` (for buffer reuse). On a throw, `bytes`
    /// is left exactly as it was.
    public static func encode(
        _ message: Message, version: UInt16, into bytes: inout [UInt8]
    ) throws(WireEncodeError) {
        let kind = message.kind
        guard kind == .hello || supports(version) else { throw .unsupportedVersion(version) }
        var writer = WireWriter()
        swap(&writer.bytes, &bytes)
        let start = MessageHeader.begin(in: &writer)
        do throws(WireEncodeError) {
            switch message {
            case .request(_, let request): try request.emit(into: &writer)
            case .reply(_, let reply): try reply.emit(into: &writer)
            case .event(let event): try event.emit(into: &writer)
            }
            let size = writer.bytes.count - start
            guard size <= WireLimits.maxMessageSize else { throw .tooLarge(size) }
        } catch {
            writer.bytes.removeSubrange(start...)
            swap(&writer.bytes, &bytes)
            throw error
        }
        MessageHeader.finish(at: start, in: &writer, version: version, kind: kind, requestID: message.requestID)
        swap(&writer.bytes, &bytes)
    }

    /// Decodes one whole record. `bytes` is only borrowed for the call.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(WireDecodeError) -> Message {
        guard bytes.count <= WireLimits.maxMessageSize else { throw .tooLarge }
        let header = try peekHeader(bytes)
        guard Int(header.bodyLength) == bytes.count - WireLimits.headerSize else { throw .badLength }
        let hello = MessageKind.hello.rawValue
        guard header.kind == hello || supports(header.version) else {
            throw .unsupportedVersion(header.version)
        }
        guard let kind = MessageKind(rawValue: header.kind) else { throw .unknownKind(header.kind) }
        var reader = WireReader(bytes, offset: WireLimits.headerSize)
        let message: Message
        switch kind.family {
        case .request: message = .request(id: header.requestID, try Request(kind: kind, parsing: &reader))
        case .reply: message = .reply(id: header.requestID, try Reply(kind: kind, parsing: &reader))
        case .event:
            guard header.requestID == 0 else { throw .badValue("event.requestID") }
            message = .event(try Event(kind: kind, parsing: &reader))
        }
        try reader.expectEnd()
        return message
    }

    /// Decodes one whole record held in an array.
    public static func decode(_ bytes: [UInt8]) throws(WireDecodeError) -> Message {
        let result: Result<Message, WireDecodeError> = bytes.withUnsafeBytes { raw in
            Result { () throws(WireDecodeError) -> Message in try decode(raw) }
        }
        return try result.get()
    }

    /// Reads only the header: needs 16 bytes and the right magic, checks nothing else, so
    /// the daemon can answer a record with a bad body under the right request id.
    public static func peekHeader(_ bytes: UnsafeRawBufferPointer) throws(WireDecodeError) -> MessageHeader {
        try MessageHeader.parse(bytes)
    }

    /// Whether this codec can read and write bodies of protocol `version`.
    public static func supports(_ version: UInt16) -> Bool {
        (WireLimits.minVersion...WireLimits.maxVersion).contains(version)
    }
}
