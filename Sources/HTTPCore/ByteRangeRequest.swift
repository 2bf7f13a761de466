// What a `Range` field asks of a file of known size (RFC 9110 §14): one `bytes=` range in
// any of its three forms becomes the bytes to send; a range that starts past the end is
// unsatisfiable (416); anything else — another unit, a syntax error, several ranges (which
// this server does not send as multipart) — is ignored and the whole file is sent.

/// How to answer a GET for a file of a given size.
public enum ByteRangeSelection: Sendable, Equatable {
    /// 200 with every byte.
    case whole
    /// 206 with `length` bytes from `offset`.
    case partial(offset: Int, length: Int)
    /// 416: no byte of the file is in the range.
    case unsatisfiable
}

public enum ByteRangeRequest {
    /// The selection `header` (a `Range` field's value, nil when absent) makes of `size` bytes.
    public static func select(_ header: String?, size: Int) -> ByteRangeSelection {
        guard let header else { return .whole }
        let trimmed = Substring(header).trimmingOWS()
        guard trimmed.lowercased().hasPrefix("bytes=") else { return .whole }
        let set = trimmed.dropFirst("bytes=".count)
        // Several ranges: the whole file is a valid answer (RFC 9110 §14.2).
        guard !set.contains(",") else { return .whole }
        let spec = Substring(set).trimmingOWS()
        guard let dash = spec.firstIndex(of: "-") else { return .whole }
        let first = spec[spec.startIndex..<dash]
        let last = spec[spec.index(after: dash)...]
        if first.isEmpty {
            // `-n`: the last n bytes.
            guard let suffix = decimal(last) else { return .whole }
            guard suffix > 0, size > 0 else { return .unsatisfiable }
            let length = min(suffix, size)
            return .partial(offset: size - length, length: length)
        }
        guard let start = decimal(first) else { return .whole }
        var end = size - 1
        if !last.isEmpty {
            guard let given = decimal(last), given >= start else { return .whole }
            end = min(given, size - 1)
        }
        guard start < size else { return .unsatisfiable }
        return .partial(offset: start, length: end - start + 1)
    }

    /// A non-negative decimal that fits (longer numbers saturate, as a range past any file).
    static func decimal(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy(\.isDigit) else { return nil }
        if text.count > 18 { return Int.max / 2 }
        return Int(text)
    }
}
