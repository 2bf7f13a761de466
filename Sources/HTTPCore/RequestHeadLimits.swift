// The bounds on what one request head may cost the server: a client cannot make it buffer
// more than this, nor keep more header fields.

/// Bounds on a request head.
public struct RequestHeadLimits: Sendable, Equatable {
    /// The request line, the fields and the blank line, together.
    public var maximumHeadBytes: Int
    /// Header fields in one head.
    public var maximumHeaderCount: Int

    public init(maximumHeadBytes: Int = 8 * 1024, maximumHeaderCount: Int = 100) {
        self.maximumHeadBytes = maximumHeadBytes
        self.maximumHeaderCount = maximumHeaderCount
    }
}
