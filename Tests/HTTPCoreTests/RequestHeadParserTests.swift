// The request head parser: complete and partial heads, the bytes after a head, keep-alive by
// version and Connection, and every malformation it refuses (with the bounds on size and count).
import HTTPCore
import Testing

@Suite struct RequestHeadParserTests {
    static func parse(_ text: String, limits: RequestHeadLimits = RequestHeadLimits()) throws(HTTPParseError) -> RequestHeadParse {
        try RequestHeadParser.parse(Array(text.utf8)[...], limits: limits)
    }

    static func request(_ text: String) throws -> HTTPRequest {
        guard case .complete(let request, _) = try parse(text) else { throw HTTPParseError.malformedRequestLine }
        return request
    }

    @Test func parsesAGetWithItsFields() throws {
        let text = "GET /a/b.txt?x=1 HTTP/1.1\r\nHost: example\r\nUser-Agent:  curl/8 \r\nAccept: */*\r\n\r\n"
        let parsed = try Self.parse(text)
        let expected = HTTPRequest(
            method: "GET", target: "/a/b.txt?x=1", version: .http1_1,
            headers: [
                HTTPHeaderField(name: "Host", value: "example"), HTTPHeaderField(name: "User-Agent", value: "curl/8"),
                HTTPHeaderField(name: "Accept", value: "*/*"),
            ])
        #expect(parsed == .complete(expected, consumed: text.utf8.count))
        #expect(expected.value(of: "user-agent") == "curl/8")
    }

    @Test func aPartialHeadIsIncompleteAtEveryLength() throws {
        let text = Array("HEAD / HTTP/1.1\r\nHost: h\r\n\r\n".utf8)
        for length in 0..<text.count {
            #expect(try RequestHeadParser.parse(text[..<length]) == .incomplete, "at \(length) bytes")
        }
    }

    @Test func theBytesAfterTheHeadAreNotConsumed() throws {
        let first = "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"
        guard case .complete(let request, let consumed) = try Self.parse(first + "GET /2 HTTP/1.1\r\n") else {
            Issue.record("incomplete")
            return
        }
        #expect(request.target == "/1")
        #expect(consumed == first.utf8.count)
    }

    @Test func bareLineFeedsAndLeadingEmptyLinesAreAccepted() throws {
        let request = try Self.request("\r\n\nGET / HTTP/1.0\nX: y\n\n")
        #expect(request.version == .http1_0)
        #expect(request.value(of: "x") == "y")
    }

    @Test(arguments: [
        ("HTTP/1.1", "", true), ("HTTP/1.1", "Connection: close\r\n", false),
        ("HTTP/1.1", "Connection: Upgrade, CLOSE\r\n", false), ("HTTP/1.0", "", false),
        ("HTTP/1.0", "Connection: keep-alive\r\n", true), ("HTTP/1.0", "Connection: Keep-Alive, close\r\n", false),
    ])
    func keepAliveFollowsVersionAndConnection(version: String, field: String, keeps: Bool) throws {
        let request = try Self.request("GET / \(version)\r\nHost: h\r\n\(field)\r\n")
        #expect(request.wantsKeepAlive == keeps)
    }

    @Test(arguments: [
        "GET /\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1 \r\n\r\n", "GET / http/1.1\r\n\r\n",
        "GET / HTTP/1\r\n\r\n", "GET / HTTP/1.10\r\n\r\n", "G(T / HTTP/1.1\r\n\r\n", "GET /a\u{7F} HTTP/1.1\r\n\r\n",
        "hello\r\n\r\n",
    ])
    func malformedRequestLinesAreRefused(text: String) {
        #expect(throws: HTTPParseError.malformedRequestLine) { try Self.parse(text) }
    }

    @Test func anotherMajorVersionIsUnsupported() {
        #expect(throws: HTTPParseError.unsupportedVersion) { try Self.parse("GET / HTTP/2.0\r\nHost: h\r\n\r\n") }
    }

    @Test(arguments: [
        "NoColon\r\n", "Name : value\r\n", ": value\r\n", " folded: x\r\n", "Bad\u{01}: x\r\n", "X: a\u{00}b\r\n",
    ])
    func malformedFieldsAreRefused(field: String) {
        #expect(throws: HTTPParseError.malformedHeader) { try Self.parse("GET / HTTP/1.1\r\nHost: h\r\n\(field)\r\n") }
    }

    @Test func http11NeedsExactlyOneHost() throws {
        #expect(throws: HTTPParseError.badHost) { try Self.parse("GET / HTTP/1.1\r\n\r\n") }
        #expect(throws: HTTPParseError.badHost) { try Self.parse("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") }
        #expect(try Self.request("GET / HTTP/1.0\r\n\r\n").headers.isEmpty)
    }

    @Test(arguments: ["x", "-1", "1, 2", "", "1234567890123456789"])
    func badContentLengthsAreRefused(value: String) {
        #expect(throws: HTTPParseError.badContentLength) {
            try Self.parse("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: \(value)\r\n\r\n")
        }
    }

    @Test func repeatedEqualContentLengthsAreOneLength() throws {
        let request = try Self.request("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 7, 7\r\n\r\n")
        #expect(request.contentLength == 7)
    }

    @Test func aHeadLongerThanTheBoundIsRefusedBeforeItEnds() throws {
        let limits = RequestHeadLimits(maximumHeadBytes: 64, maximumHeaderCount: 100)
        let start = "GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "a", count: 30)
        #expect(try Self.parse(start, limits: limits) == .incomplete)
        #expect(throws: HTTPParseError.headTooLarge) { try Self.parse(start + String(repeating: "a", count: 40), limits: limits) }
        #expect(throws: HTTPParseError.headTooLarge) { try Self.parse(start + String(repeating: "a", count: 40) + "\r\n\r\n", limits: limits) }
        #expect(throws: HTTPParseError.headTooLarge) { try Self.parse(String(repeating: "\r\n", count: 40), limits: limits) }
    }

    @Test func theDefaultBoundIsEightKibibytes() throws {
        let head = "GET / HTTP/1.1\r\nHost: h\r\nX: "
        let fits = head + String(repeating: "a", count: 8192 - head.utf8.count - 4) + "\r\n\r\n"
        #expect(try Self.request(fits).value(of: "x")?.count == 8192 - head.utf8.count - 4)
        #expect(throws: HTTPParseError.headTooLarge) { try Self.parse(head + String(repeating: "a", count: 8192)) }
    }

    @Test func moreFieldsThanTheBoundAreRefused() throws {
        let limits = RequestHeadLimits(maximumHeadBytes: 8192, maximumHeaderCount: 3)
        let three = "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n"
        #expect(throws: Never.self) { try Self.parse(three + "\r\n", limits: limits) }
        #expect(throws: HTTPParseError.tooManyHeaders) { try Self.parse(three + "C: 3\r\n\r\n", limits: limits) }
    }
}
