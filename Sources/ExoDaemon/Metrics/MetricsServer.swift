// The metrics endpoint's connections in the daemon's loop: a non-blocking listener, at most
// `metrics.max_connections` connections (more are answered 503 and closed at once), each with a
// bounded request buffer and one deadline (`metrics.timeout_ms`) for its request and answer
// together, so a slow or idle scraper is closed and never holds the loop. A scrape renders on the
// loop thread between two turns, from counters the packet path keeps anyway.

import ExoPlatform
import Prometheus

/// The endpoint. Owned by the daemon's loop thread; one request per connection.
final class MetricsServer {
    /// One scraper's connection.
    private final class Connection {
        let socket: OwnedDescriptor
        let deadline: UInt64
        /// The request so far: one byte more than a head may have, so a head that does not end
        /// within the bound is seen as too large rather than waited for.
        var received = [UInt8](repeating: 0, count: MetricsHTTP.limits.maximumHeadBytes + 1)
        var filled = 0
        /// The answer being sent, and how much of it went out.
        var answer: [UInt8]?
        var sent = 0
        /// The answer is out and the sending side shut: what still arrives is read and dropped
        /// until the peer closes (a lingering close), so the answer is not lost to a reset.
        var lingering = false

        init(socket: OwnedDescriptor, deadline: UInt64) {
            self.socket = socket
            self.deadline = deadline
        }
    }

    let config: MetricsConfig
    /// Where it listens (the kernel's port when `metrics.listen` asked for port 0).
    let endpoint: TCPEndpoint
    let listener: OwnedDescriptor
    let exposition = MetricsExposition()
    private let reactor: Reactor
    private var connections: [UInt64: Connection] = [:]
    private var nextID: UInt64 = 1
    /// Set when accept failed for want of descriptors: the listener is not watched until then.
    private var listenerRestsUntil: UInt64?
    private var requestCounters: [Int: Prometheus.Counter] = [:]
    private let scrapeDuration: DurationHistogram

    /// The endpoint `[metrics]` asks for, or nil without one.
    static func make(_ config: MetricsConfig?, reactor: Reactor) throws(DaemonStartError) -> MetricsServer? {
        guard let config else { return nil }
        let server = try MetricsServer(config: config, reactor: reactor)
        Log.info("metrics: serving http://\(server.endpoint)\(MetricsHTTP.path)")
        return server
    }

    /// The earlier of two deadlines, either of which may be absent.
    static func earlier(_ a: UInt64?, _ b: UInt64?) -> UInt64? {
        guard let a else { return b }
        guard let b else { return a }
        return min(a, b)
    }

    /// Listens on `metrics.listen` and watches the listener in `reactor`.
    init(config: MetricsConfig, reactor: Reactor) throws(DaemonStartError) {
        self.config = config
        self.reactor = reactor
        do {
            listener = try StreamListener.listen(on: config.listen)
            endpoint = try StreamListener.boundEndpoint(of: listener.raw)
            try reactor.watch(listener.raw, as: .metricsListener, for: .readable)
        } catch {
            throw DaemonStartError(message: "metrics.listen: cannot listen on \(config.listen): \(error)")
        }
        scrapeDuration = exposition.registry.makeDurationHistogram(
            descriptor: MetricFamily.scrapeDuration.descriptor, buckets: MetricFamily.scrapeDurationBuckets)
    }

    /// What the loop's wait reported for the endpoint: its listener or a connection. Its
    /// descriptors close with it (the daemon's end).
    func serve(_ source: WakeSource, events: Epoll.Events, snapshot: () -> MetricsSnapshot) {
        switch source {
        case .metricsListener: acceptPending(now: MonotonicClock.nanoseconds())
        case .metricsConnection(let id): ready(id, events: events, snapshot: snapshot)
        default: break
        }
    }

    /// Accepts every pending connection: watched for its request, or answered 503 and closed
    /// when `metrics.max_connections` are open.
    func acceptPending(now: UInt64) {
        while true {
            let accepted: OwnedDescriptor?
            do {
                accepted = try StreamListener.accept(listener.raw)
            } catch {
                if error.isTransientAcceptFailure { continue }
                // EMFILE and the like: the connection stays queued and the listener readable,
                // which would wake the loop at once, forever. Rest it for a second instead.
                Log.warning("metrics: accept failed, not accepting for a second: \(error)")
                reactor.unwatch(listener.raw)
                listenerRestsUntil = now + 1_000_000_000
                return
            }
            guard let socket = accepted else { return }
            guard connections.count < config.maxConnections else {
                countRequest(MetricsHTTP.busy.status)
                _ = try? StreamListener.write(socket.raw, MetricsHTTP.busy.bytes, from: 0)
                socket.close()
                continue
            }
            let id = nextID
            nextID += 1
            do {
                try reactor.watch(socket.raw, as: .metricsConnection(id), for: .readable)
            } catch {
                Log.warning("metrics: cannot watch a connection: \(error)")
                continue
            }
            connections[id] = Connection(
                socket: socket, deadline: now + UInt64(config.timeoutMilliseconds) * 1_000_000)
        }
    }

    /// A connection is readable or writable: reads its request, answers, and closes once the
    /// answer is out (or the peer went away). `snapshot` is called only for a scrape.
    func ready(_ id: UInt64, events: Epoll.Events, snapshot: () -> MetricsSnapshot) {
        guard let connection = connections[id] else { return }
        do {
            if connection.answer == nil { try read(connection, snapshot: snapshot) }
            if connection.answer != nil && !connection.lingering { try send(connection, id: id) }
            if connection.lingering { try drain(connection) }
        } catch {
            close(id)
        }
    }

    /// Closes the connections whose deadline passed (one that never sent a whole request is
    /// told 408 first, if its socket takes it at once), and watches a rested listener again.
    /// Called on every turn of the loop: without connections it reads not even the clock.
    func expire(now given: UInt64? = nil) {
        guard !connections.isEmpty || listenerRestsUntil != nil else { return }
        let now = given ?? MonotonicClock.nanoseconds()
        if let until = listenerRestsUntil, until <= now {
            listenerRestsUntil = nil
            do { try reactor.watch(listener.raw, as: .metricsListener, for: .readable) } catch {
                Log.warning("metrics: cannot watch the listener again: \(error)")
            }
        }
        for (id, connection) in connections where connection.deadline <= now {
            if connection.answer == nil {
                countRequest(MetricsHTTP.timedOut.status)
                _ = try? StreamListener.write(connection.socket.raw, MetricsHTTP.timedOut.bytes, from: 0)
            }
            close(id)
        }
    }

    /// The earliest deadline of an open connection or of the listener's rest.
    var nextDeadline: UInt64? {
        MetricsServer.earlier(connections.values.lazy.map(\.deadline).min(), listenerRestsUntil)
    }

    // MARK: one connection

    private struct PeerClosed: Error {}

    private func read(_ connection: Connection, snapshot: () -> MetricsSnapshot) throws {
        while connection.answer == nil {
            guard let count = try StreamListener.read(connection.socket.raw, into: &connection.received, at: connection.filled)
            else { return }
            guard count > 0 else { throw PeerClosed() }
            connection.filled += count
            let outcome = MetricsHTTP.outcome(of: connection.received[..<connection.filled]) {
                let started = MonotonicClock.nanoseconds()
                let text = exposition.render(snapshot())
                scrapeDuration.recordNanoseconds(Int64(clamping: MonotonicClock.nanoseconds() - started))
                return text
            }
            if case .respond(let response) = outcome {
                countRequest(response.status)
                connection.answer = response.bytes
            }
        }
    }

    private func send(_ connection: Connection, id: UInt64) throws {
        guard let answer = connection.answer else { return }
        while connection.sent < answer.count {
            guard let count = try StreamListener.write(connection.socket.raw, answer, from: connection.sent) else {
                // The socket's buffer is full (a large scrape, a slow reader): wait until it drains.
                try reactor.rewatch(connection.socket.raw, as: .metricsConnection(id), for: .writable)
                return
            }
            connection.sent += count
        }
        try StreamListener.shutdownWriting(connection.socket.raw)
        connection.lingering = true
        try reactor.rewatch(connection.socket.raw, as: .metricsConnection(id), for: .readable)
    }

    /// Reads and drops what the peer still sends; throws (so the connection closes) at its end.
    private func drain(_ connection: Connection) throws {
        while true {
            // Nothing more now: wait for the peer's end, or the deadline.
            guard let count = try StreamListener.read(connection.socket.raw, into: &connection.received, at: 0) else { return }
            if count == 0 { throw PeerClosed() }
        }
    }

    private func close(_ id: UInt64) {
        guard let connection = connections.removeValue(forKey: id) else { return }
        reactor.unwatch(connection.socket.raw)
        connection.socket.close()
    }

    private func countRequest(_ status: Int) {
        let counter = requestCounters[status]
            ?? exposition.registry.makeCounter(
                descriptor: MetricFamily.httpRequests.descriptor, labels: [("code", String(status))])
        requestCounters[status] = counter
        counter.increment()
    }
}
