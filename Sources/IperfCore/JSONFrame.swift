// iperf3 sends its parameters and results as JSON preceded by the text's length, a
// big-endian 32-bit word. This frames and unframes that, with a bound on the length so a
// hostile client cannot make the server buffer without end.

/// The length-prefixed JSON messages of the control connection.
public enum JSONFrame {
    /// The longest JSON text accepted (a results message of 128 streams is about 20 KB).
    public static let maximumLength = 256 * 1024

    /// The frame for `json`: its length, big-endian, then the text.
    public static func encode(_ json: [UInt8]) -> [UInt8] {
        ServerErrorCode.bigEndianBytes(Int32(truncatingIfNeeded: json.count)) + json
    }

    /// What the start of `buffer` holds.
    public enum Parse: Equatable, Sendable {
        /// More bytes are needed.
        case incomplete
        /// A whole frame: its JSON text and the bytes it took from the buffer.
        case complete(json: [UInt8], consumed: Int)
    }

    /// The frame at the start of `buffer`; throws `.messageTooLong` for a length over the bound.
    public static func parse(_ buffer: ArraySlice<UInt8>) throws(SessionError) -> Parse {
        guard buffer.count >= 4 else { return .incomplete }
        let start = buffer.startIndex
        let length = buffer[start..<start + 4].reduce(0) { ($0 << 8) | Int($1) }
        guard length <= maximumLength else { throw .messageTooLong(length) }
        guard buffer.count >= 4 + length else { return .incomplete }
        return .complete(json: Array(buffer[start + 4..<start + 4 + length]), consumed: 4 + length)
    }
}
