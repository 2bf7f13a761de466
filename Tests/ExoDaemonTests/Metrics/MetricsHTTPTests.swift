// The metrics endpoint's HTTP without I/O: what a scraper's bytes so far are answered with.
// GET and HEAD of /metrics render (only they do); other paths are 404, other methods 405 with
// Allow; heads that are malformed, too large or of another HTTP version are refused.

import Testing

@testable import ExoDaemon

@Suite("Metrics endpoint: HTTP")
struct MetricsHTTPTests {
    /// The outcome of `text`, and whether rendering was asked for.
    static func outcome(_ text: String) -> (MetricsHTTPOutcome, rendered: Bool) {
        var rendered = false
        let outcome = MetricsHTTP.outcome(of: Array(text.utf8)[...]) {
            rendered = true
            return Array("exokernel_up 1\n".utf8)
        }
        return (outcome, rendered)
    }

    static func response(_ text: String) -> MetricsHTTPResponse? {
        guard case .respond(let response) = outcome(text).0 else { return nil }
        return response
    }

    @Test func aGetOfMetricsIsAnsweredWithTheRenderedTextInPrometheusFormatAndClosed() throws {
        let response = try #require(Self.response("GET /metrics HTTP/1.1\r\nHost: localhost:9464\r\nAccept: */*\r\n\r\n"))
        #expect(response.status == 200)
        let wire = String(decoding: response.bytes, as: UTF8.self)
        #expect(wire == "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
            + "Content-Length: 15\r\nConnection: close\r\n\r\nexokernel_up 1\n")
    }

    @Test func aHeadGetsTheHeadersWithTheBodysLengthAndNoBody() throws {
        let response = try #require(Self.response("HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n"))
        let wire = String(decoding: response.bytes, as: UTF8.self)
        #expect(wire.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(wire.contains("Content-Length: 15\r\n"))
        #expect(wire.hasSuffix("\r\n\r\n"))
    }

    @Test func prometheusQueryParametersAreIgnoredAndHTTP10Works() throws {
        #expect(Self.response("GET /metrics?collect%5B%5D=all HTTP/1.1\r\nHost: x\r\n\r\n")?.status == 200)
        #expect(Self.response("GET /metrics HTTP/1.0\r\n\r\n")?.status == 200)
    }

    @Test func anIncompleteHeadWaitsForMoreAndRendersNothing() {
        for partial in ["", "GET /met", "GET /metrics HTTP/1.1\r\nHost: x\r\n"] {
            let (outcome, rendered) = Self.outcome(partial)
            #expect(outcome == .incomplete, "\(partial)")
            #expect(!rendered)
        }
    }

    @Test func anotherPathIsNotFoundAndRendersNothing() throws {
        for path in ["/", "/metrics/", "/metricsx", "/favicon.ico"] {
            let (outcome, rendered) = Self.outcome("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n")
            guard case .respond(let response) = outcome else { Issue.record("\(path): \(outcome)"); continue }
            #expect(response.status == 404, "\(path)")
            #expect(!rendered)
        }
    }

    @Test func anotherMethodIsNotAllowedAndSaysWhichAre() throws {
        for method in ["POST", "PUT", "DELETE", "OPTIONS"] {
            let (outcome, rendered) = Self.outcome("\(method) /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
            guard case .respond(let response) = outcome else { Issue.record("\(method): \(outcome)"); continue }
            #expect(response.status == 405)
            #expect(String(decoding: response.bytes, as: UTF8.self).contains("\r\nAllow: GET, HEAD\r\n"))
            #expect(!rendered)
        }
    }

    @Test func aHeadPastFourKilobytesIsRefusedBeforeItEnds() throws {
        let long = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Padding: " + String(repeating: "a", count: 5000)
        #expect(Self.response(long)?.status == 431)
        let many = "GET /metrics HTTP/1.1\r\nHost: x\r\n" + (0..<40).map { "X-\($0): 1\r\n" }.joined() + "\r\n"
        #expect(Self.response(many)?.status == 431)
    }

    @Test func malformedHeadsAndOtherVersionsAreRefused() {
        #expect(Self.response("GET /metrics\r\n\r\n")?.status == 400)
        #expect(Self.response("GET  /metrics HTTP/1.1\r\nHost: x\r\n\r\n")?.status == 400)
        #expect(Self.response("GET /metrics HTTP/1.1\r\n\r\n")?.status == 400)  // no Host
        #expect(Self.response("GET /metrics HTTP/1.1\r\nHost : x\r\n\r\n")?.status == 400)
        #expect(Self.response("\u{16}\u{03}\u{01}\u{02}\u{00}\r\n\r\n")?.status == 400)  // a TLS hello
        #expect(Self.response("GET /metrics HTTP/2.0\r\nHost: x\r\n\r\n")?.status == 505)
    }

    @Test func theTimeoutAndBusyAnswersCloseToo() {
        #expect(String(decoding: MetricsHTTP.timedOut.bytes, as: UTF8.self).hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
        #expect(String(decoding: MetricsHTTP.busy.bytes, as: UTF8.self).contains("\r\nConnection: close\r\n"))
    }
}
