// One HTTP connection: read a request head (bounded), answer it as `ResponsePlanner` plans
// (files streamed in chunks, never read whole), and go on while the connection persists.
// A watchdog resets connections that stall: an idle client between requests, or one that
// stops reading a response.

import ExOS
import ExoPlatform
import HTTPCore

struct HTTPConnectionServer {
    let connection: TCPConnection
    let directory: ServedDirectory
    let quiet: Bool
    /// How long a client may take to send a request head (also between requests).
    let headTimeout: Duration

    /// How long one chunk of a response may wait for the client's window.
    static let writeTimeout: Duration = .seconds(30)
    /// How long a closing connection waits for the client's FIN before closing anyway.
    static let lingerTimeout: Duration = .seconds(2)
    /// Bytes read from a file and written to the connection at once.
    static let chunkSize = 64 * 1024

    func run() async {
        let watchdog = ConnectionWatchdog()
        await withDiscardingTaskGroup { group in
            group.addTask { await watchdog.watch(connection) }
            await serveRequests(watchdog)
            group.cancelAll()
        }
        await connection.close()
    }

    /// Requests until the client closes, one asks to close, or an error.
    private func serveRequests(_ watchdog: ConnectionWatchdog) async {
        var buffer: [UInt8] = []
        do throws(NetworkError) {
            while true {
                watchdog.arm(headTimeout)
                guard let (request, rest) = try await readHead(into: &buffer, watchdog: watchdog) else { return }
                buffer = rest
                let plan = try await answer(request, watchdog: watchdog)
                guard plan.keepAlive else { return try await lingeringClose(watchdog) }
                // Drop the request's (short, Content-Length framed) body before the next head.
                var skip = request.contentLength
                while skip > 0 {
                    if buffer.isEmpty {
                        buffer = try await connection.read()
                        if buffer.isEmpty { return }
                    }
                    let dropped = min(skip, buffer.count)
                    buffer.removeFirst(dropped)
                    skip -= dropped
                }
            }
        } catch {
            if !quiet { StandardStreams.printError("httpd: \(peer): \(error)") }
        }
    }

    /// The next request and the bytes after its head; nil when the client closed between
    /// requests or sent a head that cannot be parsed (which is answered here).
    private func readHead(
        into buffer: inout [UInt8], watchdog: ConnectionWatchdog
    ) async throws(NetworkError) -> (HTTPRequest, [UInt8])? {
        while true {
            let parsed: RequestHeadParse
            do throws(HTTPParseError) {
                parsed = try RequestHeadParser.parse(buffer[...])
            } catch {
                let plan = ResponsePlanner.parseErrorResponse(error)
                try await connection.write(plan.head.serialized() + plan.textBody)
                log("-", "-", plan)
                try await lingeringClose(watchdog)
                return nil
            }
            if case .complete(let request, let consumed) = parsed { return (request, Array(buffer[consumed...])) }
            let bytes = try await connection.read()
            if bytes.isEmpty { return nil }
            buffer += bytes
        }
    }

    /// Writes the response to `request`.
    private func answer(_ request: HTTPRequest, watchdog: ConnectionWatchdog) async throws(NetworkError) -> ResponsePlan {
        var plan: ResponsePlan
        var file: ReadOnlyFile?
        switch ResponsePlanner.route(request) {
        case .respond(let immediate):
            plan = immediate
        case .lookUp(let path):
            let (lookup, opened) = directory.open(path)
            file = opened
            plan = ResponsePlanner.fileResponse(to: request, lookup: lookup)
        }
        watchdog.arm(Self.writeTimeout)
        var head = plan.head.serialized()
        switch plan.body {
        case .none:
            try await connection.write(head)
        case .text(let text):
            try await connection.write(head + text)
        case .file(let offset, let length):
            guard let file else {
                // The plan names a file only when the lookup opened one.
                connection.abort()
                plan.keepAlive = false
                return plan
            }
            var position = offset
            let end = offset + length
            while position < end {
                guard let chunk = try? file.read(at: position, maximumLength: min(Self.chunkSize, end - position)), !chunk.isEmpty
                else {
                    // The file shrank or failed under us: the promised length cannot be kept.
                    plan.keepAlive = false
                    connection.abort()
                    return plan
                }
                position += chunk.count
                // The head goes out with the first chunk: one segment fewer per response.
                try await connection.write(head.isEmpty ? chunk : head + chunk)
                head = []
                watchdog.arm(Self.writeTimeout)
            }
        }
        log(request.method, request.target, plan)
        return plan
    }

    /// Sends a FIN, then reads (and drops) until the client's FIN, so that a request still
    /// arriving does not turn the close into a reset that destroys the response.
    private func lingeringClose(_ watchdog: ConnectionWatchdog) async throws(NetworkError) {
        try connection.shutdownWrite()
        watchdog.arm(Self.lingerTimeout)
        while try await !connection.read().isEmpty {}
    }

    private var peer: String { connection.info.map { "\($0.remote)" } ?? "?" }

    private func log(_ method: String, _ target: String, _ plan: ResponsePlan) {
        guard !quiet else { return }
        StandardStreams.print("httpd: \(peer) \(method) \(target) \(plan.head.status.code) \(plan.head.value(of: "Content-Length") ?? "-")")
    }
}

extension ResponsePlan {
    /// The error page's bytes (empty for other bodies).
    var textBody: [UInt8] {
        if case .text(let bytes) = body { return bytes }
        return []
    }
}
