// Finds and parses one request head at the front of the bytes a connection has received:
// RFC 9112's request line and field lines, strictly (one space between the request line's
// parts, no whitespace before a colon, no folded lines), with lines ending in CRLF or a bare
// LF, and empty lines before the request line ignored. No I/O: the caller feeds bytes.

/// The outcome of looking for a request head.
public enum RequestHeadParse: Sendable, Equatable {
    /// No complete head yet (and no bound broken): read more.
    case incomplete
    /// A head; `consumed` bytes (the blank line included) belong to it, the rest to what follows.
    case complete(HTTPRequest, consumed: Int)
}

/// Parses request heads within `RequestHeadLimits`.
public enum RequestHeadParser {
    /// Looks for a complete head at the front of `bytes`; throws as soon as the bytes
    /// cannot begin a valid head, or the head grows past `limits`.
    public static func parse(
        _ bytes: ArraySlice<UInt8>, limits: RequestHeadLimits = RequestHeadLimits()
    ) throws(HTTPParseError) -> RequestHeadParse {
        var index = bytes.startIndex
        // RFC 9112 §2.2: empty lines before the request line are ignored (within the bound).
        while index < bytes.endIndex, bytes[index] == .cr || bytes[index] == .lf {
            index += 1
            if index - bytes.startIndex > limits.maximumHeadBytes { throw .headTooLarge }
        }
        var lines: [ArraySlice<UInt8>] = []
        while true {
            guard let newline = bytes[index...].firstIndex(of: .lf) else {
                if bytes.endIndex - bytes.startIndex > limits.maximumHeadBytes { throw .headTooLarge }
                return .incomplete
            }
            if newline + 1 - bytes.startIndex > limits.maximumHeadBytes { throw .headTooLarge }
            var line = bytes[index..<newline]
            if line.last == .cr { line = line.dropLast() }
            index = newline + 1
            if line.isEmpty { break }
            if lines.count > limits.maximumHeaderCount { throw .tooManyHeaders }
            lines.append(line)
        }
        let (method, target, version) = try requestLine(lines[0])
        var fields: [HTTPHeaderField] = []
        for line in lines.dropFirst() { fields.append(try field(line)) }
        let request = HTTPRequest(method: method, target: target, version: version, headers: fields)
        try validate(request)
        return .complete(request, consumed: index - bytes.startIndex)
    }

    /// `method SP request-target SP HTTP-version`.
    static func requestLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> (String, String, HTTPVersion) {
        let parts = line.split(separator: .space, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy(\.isTokenCharacter),
            !parts[1].isEmpty, parts[1].allSatisfy(\.isVisibleASCII)
        else { throw .malformedRequestLine }
        let version = Array(parts[2])
        guard version.count == 8, version[0..<5].elementsEqual("HTTP/".utf8), version[5].isDigit,
            version[6] == UInt8(ascii: "."), version[7].isDigit
        else { throw .malformedRequestLine }
        let parsed = HTTPVersion(major: Int(version[5] - UInt8(ascii: "0")), minor: Int(version[7] - UInt8(ascii: "0")))
        guard parsed.major == 1 else { throw .unsupportedVersion }
        return (String(decoding: parts[0], as: UTF8.self), String(decoding: parts[1], as: UTF8.self), parsed)
    }

    /// `field-name ":" OWS field-value OWS`.
    static func field(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPHeaderField {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw .malformedHeader }
        let name = line[line.startIndex..<colon]
        // An empty or non-token name catches a folded line and whitespace before the colon.
        guard !name.isEmpty, name.allSatisfy(\.isTokenCharacter) else { throw .malformedHeader }
        let value = line[(colon + 1)...]
        guard !value.contains(where: \.isForbiddenInFieldValue) else { throw .malformedHeader }
        return HTTPHeaderField(
            name: String(decoding: name, as: UTF8.self),
            value: Substring(String(decoding: value, as: UTF8.self)).trimmingOWS())
    }

    /// The checks across fields: one Host (required in HTTP/1.1), one Content-Length value.
    static func validate(_ request: HTTPRequest) throws(HTTPParseError) {
        let hosts = request.values(of: "host")
        if hosts.count > 1 || (request.version.minor >= 1 && hosts.count != 1) { throw .badHost }
        let lengths = request.values(of: "content-length").flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
            .map { $0.trimmingOWS() }
        guard let first = lengths.first else { return }
        guard first.count <= 18, !first.isEmpty, first.utf8.allSatisfy(\.isDigit), lengths.allSatisfy({ $0 == first })
        else { throw .badContentLength }
    }
}

extension HTTPRequest {
    /// The body length the request declared (0 without `Content-Length`); valid once parsed.
    public var contentLength: Int {
        guard let value = value(of: "content-length") else { return 0 }
        return Int(value.split(separator: ",").first.map { $0.trimmingOWS() } ?? "") ?? 0
    }

    /// Whether the request has a body framed by `Transfer-Encoding` (which this server
    /// does not decode, so it answers and closes).
    public var hasTransferEncoding: Bool { value(of: "transfer-encoding") != nil }
}

extension UInt8 {
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")

    var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }

    var isVisibleASCII: Bool { self > 0x20 && self < 0x7F }

    /// RFC 9110's tchar: what a method or field name is made of.
    var isTokenCharacter: Bool {
        if isDigit { return true }
        if (self | 0x20) >= UInt8(ascii: "a") && (self | 0x20) <= UInt8(ascii: "z") { return true }
        return "!#$%&'*+-.^_`|~".utf8.contains(self)
    }

    /// Control characters other than a tab (NUL, CR, DEL, ...) never appear in a field value.
    var isForbiddenInFieldValue: Bool { (self < 0x20 && self != 0x09) || self == 0x7F }
}
