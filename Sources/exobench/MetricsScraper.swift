// `udp-rate --scrape-every MS`: a thread that asks the benchmark's daemon for `GET /metrics`
// every MS milliseconds while a path's sender runs, as Prometheus would, and counts the answers.

import ExoPlatform
import Foundation
import Glibc
import Synchronization

/// What the scraper did over one run. A failed scrape is counted and described, never dropped.
struct ScrapeTally: Sendable {
    var done = 0
    var failed = 0
    /// The first failure, e.g. a refused connection or a status other than 200.
    var firstError: String?
    /// The size of the last whole answer (head and body).
    var answerBytes = 0
    /// Connect to last byte read, over the scrapes done: their sum and the longest.
    var totalNanoseconds: UInt64 = 0
    var longestNanoseconds: UInt64 = 0

    var meanMilliseconds: Double { done > 0 ? Double(totalNanoseconds) / Double(done) / 1e6 : 0 }
    var longestMilliseconds: Double { Double(longestNanoseconds) / 1e6 }
}

/// One scraping thread against `endpoint`, started by init; `stop()` ends it and says what it did.
final class MetricsScraper {
    private let state = State()
    private var thread: PlatformThread?

    init(endpoint: SocketEndpoint, everyMilliseconds: Int) throws {
        let state = self.state
        thread = try PlatformThread { state.run(endpoint: endpoint, interval: UInt64(everyMilliseconds) * 1_000_000) }
    }

    /// Ends the thread after the scrape it may be in; idempotent.
    func stop() -> ScrapeTally {
        state.stopping.store(true, ordering: .relaxed)
        thread?.join()
        thread = nil
        return state.tally.withLock { $0 }
    }

    deinit { _ = stop() }

    /// Shared by the owner and the thread: the tally and the stop flag.
    private final class State: Sendable {
        let tally = Mutex(ScrapeTally())
        let stopping = Atomic<Bool>(false)

        /// Scrapes on a fixed schedule (one scrape at a time; a late one moves the schedule,
        /// it does not start a burst) until told to stop.
        func run(endpoint: SocketEndpoint, interval: UInt64) {
            var next = MonotonicClock.nanoseconds()
            while !stopping.load(ordering: .relaxed) {
                let start = MonotonicClock.nanoseconds()
                do {
                    let bytes = try MetricsScraper.scrape(endpoint)
                    let took = MonotonicClock.nanoseconds() - start
                    tally.withLock { tally in
                        tally.done += 1
                        tally.answerBytes = bytes
                        tally.totalNanoseconds += took
                        tally.longestNanoseconds = max(tally.longestNanoseconds, took)
                    }
                } catch {
                    tally.withLock { tally in
                        tally.failed += 1
                        if tally.firstError == nil { tally.firstError = "\(error)" }
                    }
                }
                next = max(next + interval, MonotonicClock.nanoseconds())
                // Sleeps in slices of at most 10 ms so that stop() never waits a whole interval.
                while !stopping.load(ordering: .relaxed) {
                    let now = MonotonicClock.nanoseconds()
                    guard now < next else { break }
                    usleep(useconds_t(min(next - now, 10_000_000) / 1000))
                }
            }
        }
    }

    /// One `GET /metrics` on its own connection (the daemon closes after each answer): the
    /// whole answer read to the end, which must be a 200 carrying the daemon's metrics.
    /// Returns the answer's size.
    static func scrape(_ endpoint: SocketEndpoint) throws -> Int {
        let socket = try BenchSocket.tcpConnected(to: endpoint, timeoutMilliseconds: 5000)
        let request = Array("GET /metrics HTTP/1.1\r\nHost: \(endpoint)\r\nConnection: close\r\n\r\n".utf8)
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(socket.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw SystemError(operation: "send(GET /metrics)", errno: errno) }
            sent += n
        }
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(socket.fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw SystemError(operation: "recv(/metrics answer)", errno: errno) }
            if n == 0 { break }
            answer.append(contentsOf: chunk[..<n])
        }
        let text = String(decoding: answer, as: UTF8.self)
        guard text.hasPrefix("HTTP/1.1 200 "), let blank = text.range(of: "\r\n\r\n"),
            text[blank.upperBound...].contains("exokernel_build_info")
        else {
            throw BenchError("GET /metrics answered \(answer.count) bytes: \(text.prefix { $0 != "\r" }.prefix(80))")
        }
        return answer.count
    }
}
