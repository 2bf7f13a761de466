// Why a test ended without completing: what the client sent that the protocol does not allow,
// or how the control connection failed.

/// A control-connection failure of one test.
public enum SessionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A JSON message announced longer than `JSONFrame.maximumLength`.
    case messageTooLong(Int)
    /// The client's results were not the JSON object iperf3 sends.
    case malformedResults
    /// A state byte iperf3 does not define, or one the client may not send in this phase.
    case unexpectedState(UInt8)
    /// The client closed the control connection before the test finished.
    case controlClosed
    /// A phase took longer than the session allows.
    case timedOut

    public var description: String {
        switch self {
        case .messageTooLong(let length): "a JSON message of \(length) bytes (at most \(JSONFrame.maximumLength))"
        case .malformedResults: "the client's results are not iperf3's results object"
        case .unexpectedState(let byte): "unexpected control byte \(Int8(bitPattern: byte))"
        case .controlClosed: "the client closed the control connection during the test"
        case .timedOut: "the client took too long"
        }
    }
}
