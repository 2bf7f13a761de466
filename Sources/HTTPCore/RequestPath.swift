// From a request target to a path relative to the served directory: the query dropped,
// percent-decoding done first (so `%2e%2e` is `..` and `%2f` a separator), then any `..`
// segment refused, `.` and empty segments dropped. What the file system does with symlinks
// is checked after resolution (`PathConfinement`).

/// A request target that names nothing under the root.
public enum RequestPathError: Error, Sendable, Equatable {
    /// Not origin-form (`/...`), a bad percent escape, a NUL byte, or not UTF-8.
    case malformed
    /// A `..` segment (after decoding).
    case parentSegment
}

/// The path a request target names, relative to the served root.
public struct RequestPath: Sendable, Equatable {
    /// The decoded segments, none empty, `.` or `..`.
    public let segments: [String]

    /// Parses an origin-form target (`/a/b?query`).
    public init(target: String) throws(RequestPathError) {
        var path = Array(target.utf8)
        if let query = path.firstIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) {
            path.removeSubrange(query...)
        }
        guard path.first == UInt8(ascii: "/") else { throw .malformed }
        let decoded = try Self.percentDecoded(path)
        guard !decoded.contains(0) else { throw .malformed }
        var segments: [String] = []
        for segment in decoded.split(separator: UInt8(ascii: "/")) {
            guard let text = String(validating: segment, as: UTF8.self) else { throw .malformed }
            if text == ".." { throw .parentSegment }
            if text == "." { continue }
            segments.append(text)
        }
        self.segments = segments
    }

    /// The path under `root` (a directory path without a trailing slash).
    public func joined(under root: String) -> String {
        segments.isEmpty ? root : root + "/" + segments.joined(separator: "/")
    }

    /// `%XY` replaced by its byte; a `%` without two hex digits is malformed.
    static func percentDecoded(_ bytes: [UInt8]) throws(RequestPathError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
                else { throw .malformed }
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return out
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Whether a fully resolved path (symlinks followed, as `realpath` gives it) lies inside
/// the resolved root: equal to it, or below it at a segment boundary (`/srv/www2` is not
/// inside `/srv/www`).
public enum PathConfinement {
    public static func contains(root: String, resolved: String) -> Bool {
        if resolved == root { return true }
        let prefix = root.hasSuffix("/") ? root : root + "/"
        return resolved.hasPrefix(prefix)
    }
}
