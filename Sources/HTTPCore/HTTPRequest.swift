// A parsed HTTP/1.x request head (RFC 9112): the request line and the header fields, with
// the questions the server asks of them (a field by name, keep-alive).

/// The protocol version of a request line: `HTTP/major.minor`, one digit each.
public struct HTTPVersion: Sendable, Equatable, CustomStringConvertible {
    public let major: Int
    public let minor: Int

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)

    public var description: String { "HTTP/\(major).\(minor)" }
}

/// One header field; the name as received (compare with `lowercasedName`), the value
/// without surrounding whitespace.
public struct HTTPHeaderField: Sendable, Equatable {
    public let name: String
    public let value: String
    /// The name in lower case: field names are case-insensitive.
    public let lowercasedName: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
        lowercasedName = name.lowercased()
    }
}

/// A request head: method, request target (as sent, still percent-encoded), version and
/// the header fields in order.
public struct HTTPRequest: Sendable, Equatable {
    public let method: String
    public let target: String
    public let version: HTTPVersion
    public let headers: [HTTPHeaderField]

    public init(method: String, target: String, version: HTTPVersion, headers: [HTTPHeaderField]) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
    }

    /// Every value of the fields named `name` (case-insensitive), in order.
    public func values(of name: String) -> [String] {
        let wanted = name.lowercased()
        return headers.filter { $0.lowercasedName == wanted }.map(\.value)
    }

    /// The value of the one field named `name`, or nil when absent.
    public func value(of name: String) -> String? { values(of: name).first }

    /// The lower-case tokens of every `Connection` field (`close`, `keep-alive`, ...).
    public var connectionTokens: [String] {
        values(of: "connection").flatMap { value in
            value.split(separator: ",").map { $0.trimmingOWS().lowercased() }
        }
    }

    /// Whether the connection stays open after the response (RFC 9112 §9.3): HTTP/1.1
    /// persists unless `Connection: close`; HTTP/1.0 closes unless `Connection: keep-alive`.
    public var wantsKeepAlive: Bool {
        let tokens = connectionTokens
        if tokens.contains("close") { return false }
        if version == .http1_0 { return tokens.contains("keep-alive") }
        return true
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
    func trimmingOWS() -> String {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
