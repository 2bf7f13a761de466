// The metrics endpoint's HTTP, without I/O: the bytes a scraper sent so far in, "read more" or
// the whole answer out. One request per connection (every answer says Connection: close):
// Prometheus opens a connection per scrape when asked to, and a server that never keeps a
// connection has no idle keep-alive connections to bound.

import HTTPCore

/// What to do with a connection's bytes so far.
enum MetricsHTTPOutcome: Equatable {
    /// No complete request head yet, and no bound broken.
    case incomplete
    /// Send this answer, then close.
    case respond(MetricsHTTPResponse)
}

/// One answer: status, headers and body, ready to send.
struct MetricsHTTPResponse: Equatable {
    var status: Int
    var reason: String
    var contentType = "text/plain; charset=utf-8"
    /// Extra header lines (`Allow` for a 405).
    var extraHeaders: [(String, String)] = []
    var body: [UInt8]
    /// HEAD: the headers only, Content-Length still the body's.
    var headersOnly = false

    static func == (a: MetricsHTTPResponse, b: MetricsHTTPResponse) -> Bool {
        a.status == b.status && a.reason == b.reason && a.contentType == b.contentType && a.body == b.body
            && a.headersOnly == b.headersOnly && a.extraHeaders.elementsEqual(b.extraHeaders) { $0 == $1 }
    }

    /// The bytes on the wire.
    var bytes: [UInt8] {
        var head = "HTTP/1.1 \(status) \(reason)\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in extraHeaders { head += "\(name): \(value)\r\n" }
        head += "Connection: close\r\n\r\n"
        return Array(head.utf8) + (headersOnly ? [] : body)
    }

    static func error(_ status: Int, _ reason: String, _ extraHeaders: [(String, String)] = []) -> MetricsHTTPResponse {
        MetricsHTTPResponse(status: status, reason: reason, extraHeaders: extraHeaders, body: Array("\(status) \(reason)\n".utf8))
    }
}

enum MetricsHTTP {
    /// The one path served.
    static let path = "/metrics"
    /// The Prometheus text format, version 0.0.4 (what every Prometheus reads).
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"
    /// A scraper's request head is a few hundred bytes; 4 KiB leaves room for proxies' fields.
    static let limits = RequestHeadLimits(maximumHeadBytes: 4 * 1024, maximumHeaderCount: 32)

    /// The answer to the bytes received so far. `render` makes the metrics text; it is called
    /// only for a `GET` or `HEAD` of /metrics.
    static func outcome(of received: ArraySlice<UInt8>, render: () -> [UInt8]) -> MetricsHTTPOutcome {
        let request: HTTPRequest
        do {
            switch try RequestHeadParser.parse(received, limits: limits) {
            case .incomplete: return .incomplete
            case .complete(let head, _): request = head
            }
        } catch {
            return .respond(refusal(error))
        }
        // The query string (Prometheus's `params`) is ignored: there is one set of metrics.
        let path = request.target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        guard path == Self.path else { return .respond(.error(404, "Not Found")) }
        guard request.method == "GET" || request.method == "HEAD" else {
            return .respond(.error(405, "Method Not Allowed", [("Allow", "GET, HEAD")]))
        }
        return .respond(MetricsHTTPResponse(
            status: 200, reason: "OK", contentType: contentType, body: render(), headersOnly: request.method == "HEAD"))
    }

    /// The answer to a head that cannot be served (RFC 9110 §15).
    static func refusal(_ error: HTTPParseError) -> MetricsHTTPResponse {
        switch error {
        case .headTooLarge, .tooManyHeaders: .error(431, "Request Header Fields Too Large")
        case .unsupportedVersion: .error(505, "HTTP Version Not Supported")
        case .malformedRequestLine, .malformedHeader, .badHost, .badContentLength: .error(400, "Bad Request")
        }
    }

    /// The answer to a connection that did not send a whole request within `metrics.timeout_ms`.
    static let timedOut = MetricsHTTPResponse.error(408, "Request Timeout")
    /// The answer to a connection over `metrics.max_connections`.
    static let busy = MetricsHTTPResponse.error(503, "Service Unavailable")
}
