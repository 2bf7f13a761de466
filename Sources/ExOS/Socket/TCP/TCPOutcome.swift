// What the stack must do after a connection took a segment, an application call or a timer.

/// The stack's follow-up work for one connection, as flags.
struct TCPOutcome: OptionSet {
    let rawValue: UInt8
    /// Data, the end of stream or an error waits for the reader.
    static let readable = TCPOutcome(rawValue: 1 << 0)
    /// Send space freed, the connection opened, or an error waits for the writer.
    static let writable = TCPOutcome(rawValue: 1 << 1)
    /// The connection just reached ESTABLISHED (a passive one goes to its accept queue).
    static let established = TCPOutcome(rawValue: 1 << 2)
    /// The connection is CLOSED: remove it (after the segments still owed, if any).
    static let closed = TCPOutcome(rawValue: 1 << 3)
    /// Answer the segment with a reset built from it alone (RFC 9293 §3.10.7.1).
    static let resetReply = TCPOutcome(rawValue: 1 << 4)
    /// The connection has something to send.
    static let transmit = TCPOutcome(rawValue: 1 << 5)
}
