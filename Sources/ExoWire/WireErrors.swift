// Why a record could not be decoded or encoded. Decoding errors map onto the `ExoError`
// the daemon answers with; encoding errors mean the caller built an over-limit message.

/// A record that is not a valid message. Decoding never traps; it throws one of these.
public enum WireDecodeError: Error, Equatable, Sendable {
    /// The first four bytes are not `WireLimits.magic`.
    case badMagic
    /// A non-hello record carries a version this codec does not speak.
    case unsupportedVersion(UInt16)
    /// The record ends before a field does.
    case truncated
    /// The body has bytes after its last field.
    case trailingBytes
    /// The header's `bodyLength` is not the record length minus the header.
    case badLength
    /// The header's kind names no message.
    case unknownKind(UInt16)
    /// A field holds a value outside its domain (the string names the field).
    case badValue(String)
    /// The record exceeds `maxMessageSize`, or a list exceeds its limit (batch, page).
    case tooLarge

    /// The refusal the daemon answers with. Whether it closes the session is
    /// `ExoError.closesSession`: unknown kinds and over-long batches do not.
    public var exoError: ExoError {
        switch self {
        case .unsupportedVersion: .unsupportedVersion
        case .unknownKind: .unknownRequest
        case .tooLarge: .batchTooLarge
        case .badMagic, .truncated, .trailingBytes, .badLength, .badValue: .malformedMessage
        }
    }
}

/// A message that cannot be put on the wire because it breaks a protocol limit. The
/// encoder checks every limit the decoder checks, so what encodes also decodes.
public enum WireEncodeError: Error, Equatable, Sendable {
    /// The encoded record would exceed `WireLimits.maxMessageSize` (its size is given).
    case tooLarge(Int)
    /// A list, string or token is longer than its limit (the string names the field).
    case limitExceeded(String)
    /// A field holds a value the decoder would refuse (the string names the field).
    case badValue(String)
    /// A non-hello message was asked for in a version this codec does not speak.
    case unsupportedVersion(UInt16)
}
