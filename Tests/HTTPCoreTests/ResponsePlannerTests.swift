// The server's answers, without I/O: status, fields and body for files, ranges, HEAD, the
// error pages and 405, and when the connection stays open.
import HTTPCore
import Testing

@Suite struct ResponsePlannerTests {
    static func request(_ method: String = "GET", _ target: String = "/f.txt", version: HTTPVersion = .http1_1,
                        _ fields: [(String, String)] = []) -> HTTPRequest {
        HTTPRequest(method: method, target: target, version: version,
                    headers: [HTTPHeaderField(name: "Host", value: "h")] + fields.map { HTTPHeaderField(name: $0.0, value: $0.1) })
    }

    static let file = FileLookup.file(name: "f.txt", size: 1000)

    @Test func aGetIsTheWholeFile() {
        let plan = ResponsePlanner.fileResponse(to: Self.request(), lookup: Self.file)
        #expect(plan.head.status == .ok)
        #expect(plan.head.value(of: "Content-Length") == "1000")
        #expect(plan.head.value(of: "Content-Type") == "text/plain; charset=utf-8")
        #expect(plan.head.value(of: "Accept-Ranges") == "bytes")
        #expect(plan.head.value(of: "Connection") == nil)
        #expect(plan.body == .file(offset: 0, length: 1000))
        #expect(plan.keepAlive)
    }

    @Test func headHasTheSameFieldsAndNoBody() {
        let get = ResponsePlanner.fileResponse(to: Self.request(), lookup: Self.file)
        let head = ResponsePlanner.fileResponse(to: Self.request("HEAD"), lookup: Self.file)
        #expect(head.head == get.head)
        #expect(head.body == .none)
    }

    @Test func aRangeIsPartialContent() {
        let plan = ResponsePlanner.fileResponse(to: Self.request("GET", "/f.txt", [("Range", "bytes=100-199")]), lookup: Self.file)
        #expect(plan.head.status == .partialContent)
        #expect(plan.head.value(of: "Content-Range") == "bytes 100-199/1000")
        #expect(plan.head.value(of: "Content-Length") == "100")
        #expect(plan.body == .file(offset: 100, length: 100))
    }

    @Test func rangesAreIgnoredForHeadAndWithIfRange() {
        let head = ResponsePlanner.fileResponse(to: Self.request("HEAD", "/f.txt", [("Range", "bytes=0-1")]), lookup: Self.file)
        #expect(head.head.status == .ok)
        #expect(head.head.value(of: "Content-Length") == "1000")
        let ifRange = ResponsePlanner.fileResponse(
            to: Self.request("GET", "/f.txt", [("Range", "bytes=0-1"), ("If-Range", "\"x\"")]), lookup: Self.file)
        #expect(ifRange.body == .file(offset: 0, length: 1000))
    }

    @Test func anUnsatisfiableRangeIs416WithTheSize() {
        let plan = ResponsePlanner.fileResponse(to: Self.request("GET", "/f.txt", [("Range", "bytes=1000-")]), lookup: Self.file)
        #expect(plan.head.status == .rangeNotSatisfiable)
        #expect(plan.head.value(of: "Content-Range") == "bytes */1000")
        #expect(plan.keepAlive)
    }

    @Test func aMissingFileIs404AndKeepsTheConnection() {
        let plan = ResponsePlanner.fileResponse(to: Self.request(), lookup: .notFound)
        #expect(plan.head.status == .notFound)
        #expect(plan.body == .text(Array("404 Not Found\n".utf8)))
        #expect(plan.head.value(of: "Content-Length") == "14")
        #expect(plan.keepAlive)
        #expect(ResponsePlanner.fileResponse(to: Self.request("HEAD"), lookup: .notFound).body == .none)
    }

    @Test func anEmptyFileHasNoBody() {
        let plan = ResponsePlanner.fileResponse(to: Self.request(), lookup: .file(name: "e", size: 0))
        #expect(plan.head.value(of: "Content-Length") == "0")
        #expect(plan.head.value(of: "Content-Type") == "application/octet-stream")
        #expect(plan.body == .none)
    }

    @Test(arguments: ["POST", "PUT", "DELETE", "get", "OPTIONS"])
    func otherMethodsAre405WithAllow(method: String) {
        guard case .respond(let plan) = ResponsePlanner.route(Self.request(method)) else { return }
        #expect(plan.head.status == .methodNotAllowed)
        #expect(plan.head.value(of: "Allow") == "GET, HEAD")
    }

    @Test func pathsRouteToTheFileSystemOrTo400() throws {
        #expect(ResponsePlanner.route(Self.request("HEAD", "/a/b")) == .lookUp(try RequestPath(target: "/a/b")))
        guard case .respond(let plan) = ResponsePlanner.route(Self.request("GET", "/../etc/passwd")) else {
            Issue.record("a parent segment went to the file system")
            return
        }
        #expect(plan.head.status == .badRequest)
        #expect(!plan.keepAlive)
        #expect(plan.head.value(of: "Connection") == "close")
    }

    @Test func theConnectionFollowsTheRequest() {
        let close = ResponsePlanner.fileResponse(to: Self.request("GET", "/f", [("Connection", "close")]), lookup: Self.file)
        #expect(!close.keepAlive)
        #expect(close.head.value(of: "Connection") == "close")
        let old = ResponsePlanner.fileResponse(to: Self.request("GET", "/f", version: .http1_0), lookup: Self.file)
        #expect(!old.keepAlive)
        #expect(old.head.value(of: "Connection") == "close")
        let oldKept = ResponsePlanner.fileResponse(
            to: Self.request("GET", "/f", version: .http1_0, [("Connection", "keep-alive")]), lookup: Self.file)
        #expect(oldKept.keepAlive)
        #expect(oldKept.head.value(of: "Connection") == "keep-alive")
    }

    @Test func bodiesThatCannotBeSkippedCloseTheConnection() {
        let chunked = Self.request("GET", "/f", [("Transfer-Encoding", "chunked")])
        #expect(!ResponsePlanner.fileResponse(to: chunked, lookup: Self.file).keepAlive)
        let long = Self.request("GET", "/f", [("Content-Length", String(ResponsePlanner.maximumDiscardedBody + 1))])
        #expect(!ResponsePlanner.fileResponse(to: long, lookup: Self.file).keepAlive)
        let short = Self.request("GET", "/f", [("Content-Length", "10")])
        #expect(ResponsePlanner.fileResponse(to: short, lookup: Self.file).keepAlive)
    }

    @Test func parseErrorsAre400Or505AndClose() {
        let bad = ResponsePlanner.parseErrorResponse(.malformedRequestLine)
        #expect(bad.head.status == .badRequest)
        #expect(!bad.keepAlive)
        #expect(bad.head.value(of: "Connection") == "close")
        #expect(ResponsePlanner.parseErrorResponse(.headTooLarge).head.status == .badRequest)
        #expect(ResponsePlanner.parseErrorResponse(.unsupportedVersion).head.status == .versionNotSupported)
    }

    @Test func theHeadSerializesAsAStatusLineFieldsAndABlankLine() {
        let head = ResponseHead(status: .partialContent, headers: [(name: "A", value: "1"), (name: "B", value: "x y")])
        #expect(head.serialized() == Array("HTTP/1.1 206 Partial Content\r\nA: 1\r\nB: x y\r\n\r\n".utf8))
    }

    @Test(arguments: [
        ("index.html", "text/html; charset=utf-8"), ("A.PNG", "image/png"), ("x.tar.gz", "application/gzip"),
        ("noext", "application/octet-stream"), (".hidden", "application/octet-stream"), ("f.unknown", "application/octet-stream"),
    ])
    func contentTypesComeFromTheExtension(name: String, type: String) {
        #expect(ContentTypes.type(forFileNamed: name) == type)
    }
}
