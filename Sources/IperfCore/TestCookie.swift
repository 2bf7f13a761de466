// A test's cookie: the client sends it first on the control connection and on every data
// stream, and it is how the server tells a test's streams from other connections.

/// The 37 bytes iperf3 sends (36 characters and a NUL, as `make_cookie` writes them).
public struct TestCookie: Hashable, Sendable, CustomStringConvertible {
    /// The cookie's length on the wire (iperf.h's COOKIE_SIZE).
    public static let length = 37

    public let bytes: [UInt8]

    /// Exactly `length` bytes; nil otherwise. Any bytes are accepted: the server compares
    /// cookies, it does not interpret them.
    public init?(_ bytes: [UInt8]) {
        guard bytes.count == Self.length else { return nil }
        self.bytes = bytes
    }

    /// The printable characters before the NUL (for logs).
    public var description: String {
        String(decoding: bytes.prefix { $0 >= 0x21 && $0 < 0x7F }, as: UTF8.self)
    }
}
