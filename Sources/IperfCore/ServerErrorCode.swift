// The iperf3 error numbers (iperf_api.h's `i_errno` values) this server sends after
// SERVER_ERROR; the client prints its own text for each, so the numbers must be iperf3's.

/// An iperf3 error number the server reports to the client.
public enum ServerErrorCode: Int32, Sendable, Equatable {
    /// IENUMSTREAMS: "number of parallel streams too large".
    case tooManyStreams = 6
    /// IEUNIMP: "an option you are trying to set is not implemented yet" (UDP, SCTP, a rate
    /// for the server's sending streams).
    case notImplemented = 13
    /// IEREVERSEBIDIR: "cannot be both reverse and bidirectional".
    case reverseAndBidirectional = 25
    /// IERECVPARAMS: "unable to receive parameters from client" (the client appends errno's text).
    case badParameters = 114

    /// The errno that goes with the code (the client prints its text after the code's only
    /// for codes whose message says "check perror"): EINVAL for bad parameters, else none.
    public var errno: Int32 { self == .badParameters ? 22 : 0 }

    /// SERVER_ERROR, the code and the errno, as the client reads them.
    public var message: [UInt8] {
        [ControlState.serverError.byte] + Self.bigEndianBytes(rawValue) + Self.bigEndianBytes(errno)
    }

    static func bigEndianBytes(_ value: Int32) -> [UInt8] {
        let bits = UInt32(bitPattern: value)
        return [UInt8(truncatingIfNeeded: bits >> 24), UInt8(truncatingIfNeeded: bits >> 16),
                UInt8(truncatingIfNeeded: bits >> 8), UInt8(truncatingIfNeeded: bits)]
    }
}
