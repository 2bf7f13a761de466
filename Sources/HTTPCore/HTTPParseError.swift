// Why a request head was refused; each one is answered with 400 (or 505 for a version the
// server does not speak) and the connection closes, since its framing can no longer be trusted.

/// A request head that cannot be served.
public enum HTTPParseError: Error, Sendable, Equatable {
    /// The head did not end within `RequestHeadLimits.maximumHeadBytes`.
    case headTooLarge
    /// More header fields than `RequestHeadLimits.maximumHeaderCount`.
    case tooManyHeaders
    /// The request line is not `method SP target SP HTTP/d.d`.
    case malformedRequestLine
    /// A field line without a colon, with a bad name, whitespace before the colon, a
    /// control character, or folded onto the previous line.
    case malformedHeader
    /// `HTTP/d.d` with a major version other than 1.
    case unsupportedVersion
    /// An HTTP/1.1 request without exactly one `Host` field (RFC 9112 §3.2).
    case badHost
    /// A `Content-Length` that is not one decimal number (or several that differ).
    case badContentLength
}
