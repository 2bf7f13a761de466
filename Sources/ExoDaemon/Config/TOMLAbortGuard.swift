// Inputs on which toml++ (the C++ parser inside TOMLKit) fails an assertion and aborts the
// process, found by fuzzing: ConfigLoader refuses them itself before TOMLKit sees the text.

/// Shapes of text that must not reach toml++ (docs/RELIABILITY.md, "Found").
enum TOMLAbortGuard {
    /// Throws, naming line and column, if `text` has a shape toml++ aborts on.
    static func check(_ text: String, file: String) throws(ConfigError) {
        if let (line, column) = positionOfUnnamedTableHeader(in: text) {
            throw ConfigError(
                file: file, key: nil, message: "line \(line), column \(column): expected a table name after '['")
        }
        if let (line, column) = positionOfDateWithoutTime(in: text) {
            throw ConfigError(
                file: file, key: nil, message: "line \(line), column \(column): expected a time after the date's 'T'")
        }
    }

    /// The 1-based line and column of the first line that opens with `[` or `[[` (after
    /// blanks) not followed by a bare key character, a quote or `]`. Also matches such a line
    /// inside a multi-line array or string, where no value this file's schema takes can have it.
    static func positionOfUnnamedTableHeader(in text: String) -> (line: Int, column: Int)? {
        for (number, line) in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .enumerated()
        {
            let blank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            var rest = line.drop(while: blank)
            guard rest.first == UInt8(ascii: "[") else { continue }
            rest = rest.dropFirst()
            if rest.first == UInt8(ascii: "[") { rest = rest.dropFirst() }
            rest = rest.drop(while: blank)
            if let next = rest.first, isKeyStart(next) { continue }
            return (number + 1, line.distance(from: line.startIndex, to: rest.startIndex) + 1)
        }
        return nil
    }

    /// The 1-based line and column just past the first `YYYY-MM-DDT` (or `t`) not followed by
    /// a digit. Also matches such text in strings and comments, where no value this file's
    /// schema takes has it.
    static func positionOfDateWithoutTime(in text: String) -> (line: Int, column: Int)? {
        let digit: (UInt8) -> Bool = { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        let shape: [(UInt8) -> Bool] =
            [digit, digit, digit, digit, { $0 == UInt8(ascii: "-") }, digit, digit, { $0 == UInt8(ascii: "-") }, digit, digit,
            { $0 == UInt8(ascii: "T") || $0 == UInt8(ascii: "t") }]
        for (number, line) in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .enumerated()
        {
            let bytes = Array(line)
            guard bytes.count >= shape.count else { continue }
            for start in 0...(bytes.count - shape.count)
            where shape.indices.allSatisfy({ shape[$0](bytes[start + $0]) }) {
                let next = start + shape.count
                if next == bytes.count || !digit(bytes[next]) { return (number + 1, next + 1) }
            }
        }
        return nil
    }

    /// A bare key character, a quote (a quoted key) or `]` (toml++ reports an empty name itself).
    private static func isKeyStart(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"),
            UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "]"):
            return true
        default:
            return false
        }
    }
}
