// The server's decisions, apart from its I/O: which request is answered how (status, fields,
// which bytes of which file) and whether the connection stays open. The connection code
// looks up the file in between (`route` says which path, `fileResponse` answers with what it
// found) and then only writes what the plan says.

/// What a file lookup found. A directory counts as not found: there is no directory index.
public enum FileLookup: Sendable, Equatable {
    /// A regular file of `size` bytes; `name` is its last path segment (for its media type).
    case file(name: String, size: Int)
    /// Nothing servable: missing, a directory, not a regular file, outside the root, unreadable.
    case notFound
}

/// The bytes after a response head.
public enum ResponseBody: Sendable, Equatable {
    case none
    /// A short text (the error pages).
    case text([UInt8])
    /// `length` bytes of the looked-up file from `offset`.
    case file(offset: Int, length: Int)
}

/// A complete answer to one request.
public struct ResponsePlan: Sendable, Equatable {
    public var head: ResponseHead
    public var body: ResponseBody
    /// Whether the connection reads another request after this response.
    public var keepAlive: Bool
}

/// What to do with a parsed request before touching the file system.
public enum RequestRoute: Sendable, Equatable {
    /// Look up `path` under the root and call `ResponsePlanner.fileResponse`.
    case lookUp(RequestPath)
    /// Answer at once.
    case respond(ResponsePlan)
}

public enum ResponsePlanner {
    public static let serverName = "exos-httpd"
    public static let allowedMethods = "GET, HEAD"
    /// A request body up to this long is read and dropped to keep the connection; a longer
    /// one (or a chunked one) is answered, and the connection closes.
    public static let maximumDiscardedBody = 64 * 1024

    /// GET and HEAD of a well-formed path go to the file system; other methods get 405 and
    /// bad paths 400.
    public static func route(_ request: HTTPRequest) -> RequestRoute {
        guard request.method == "GET" || request.method == "HEAD" else {
            var plan = errorResponse(.methodNotAllowed, to: request)
            plan.head.headers.insert((name: "Allow", value: allowedMethods), at: 1)
            return .respond(plan)
        }
        do throws(RequestPathError) {
            return .lookUp(try RequestPath(target: request.target))
        } catch {
            return .respond(errorResponse(.badRequest, to: request, keepAlive: false))
        }
    }

    /// The answer once the file system said what the path is.
    public static func fileResponse(to request: HTTPRequest, lookup: FileLookup) -> ResponsePlan {
        guard case .file(let name, let size) = lookup else { return errorResponse(.notFound, to: request) }
        let keepAlive = keepsAlive(request)
        let isHead = request.method == "HEAD"
        // Range is defined for GET only (RFC 9110 §14.2); If-Range cannot be checked without
        // validators, so it makes the range ignored (the safe reading: the whole file).
        let range = isHead || request.value(of: "if-range") != nil
            ? .whole : ByteRangeRequest.select(request.value(of: "range"), size: size)
        var fields: [(name: String, value: String)] = [(name: "Server", value: serverName)]
        let status: HTTPStatus
        let offset: Int
        let length: Int
        switch range {
        case .whole:
            (status, offset, length) = (.ok, 0, size)
        case .partial(let start, let count):
            (status, offset, length) = (.partialContent, start, count)
            fields.append((name: "Content-Range", value: "bytes \(start)-\(start + count - 1)/\(size)"))
        case .unsatisfiable:
            var plan = errorResponse(.rangeNotSatisfiable, to: request)
            plan.head.headers.insert((name: "Content-Range", value: "bytes */\(size)"), at: 1)
            return plan
        }
        fields.append((name: "Content-Type", value: ContentTypes.type(forFileNamed: name)))
        fields.append((name: "Content-Length", value: String(length)))
        fields.append((name: "Accept-Ranges", value: "bytes"))
        fields += connectionFields(request, keepAlive: keepAlive)
        return ResponsePlan(
            head: ResponseHead(status: status, headers: fields),
            body: isHead || length == 0 ? .none : .file(offset: offset, length: length), keepAlive: keepAlive)
    }

    /// The answer to a head that could not be parsed: 505 for another major version, 400
    /// otherwise; the connection closes.
    public static func parseErrorResponse(_ error: HTTPParseError) -> ResponsePlan {
        let status: HTTPStatus = error == .unsupportedVersion ? .versionNotSupported : .badRequest
        let body = Array("\(status)\n".utf8)
        return ResponsePlan(
            head: ResponseHead(status: status, headers: [
                (name: "Server", value: serverName), (name: "Content-Type", value: "text/plain; charset=utf-8"),
                (name: "Content-Length", value: String(body.count)), (name: "Connection", value: "close"),
            ]),
            body: .text(body), keepAlive: false)
    }

    /// A short text page for `status` (headers only for HEAD).
    public static func errorResponse(_ status: HTTPStatus, to request: HTTPRequest, keepAlive: Bool = true) -> ResponsePlan {
        let keep = keepAlive && keepsAlive(request)
        let body = Array("\(status)\n".utf8)
        let fields: [(name: String, value: String)] = [
            (name: "Server", value: serverName), (name: "Content-Type", value: "text/plain; charset=utf-8"),
            (name: "Content-Length", value: String(body.count)),
        ] + connectionFields(request, keepAlive: keep)
        return ResponsePlan(
            head: ResponseHead(status: status, headers: fields),
            body: request.method == "HEAD" ? .none : .text(body), keepAlive: keep)
    }

    /// Whether the connection may carry another request: the client wants it, and the
    /// request's body can be skipped (declared by Content-Length, and short).
    static func keepsAlive(_ request: HTTPRequest) -> Bool {
        request.wantsKeepAlive && !request.hasTransferEncoding && request.contentLength <= maximumDiscardedBody
    }

    /// `Connection: close` when closing; `keep-alive` to an HTTP/1.0 client that keeps it.
    static func connectionFields(_ request: HTTPRequest, keepAlive: Bool) -> [(name: String, value: String)] {
        if !keepAlive { return [(name: "Connection", value: "close")] }
        if request.version == .http1_0 { return [(name: "Connection", value: "keep-alive")] }
        return []
    }
}
