// Turns a configuration file into a DaemonConfig: reads it, parses the TOML, decodes the
// sections. Errors name the file and key; semantic checks are left to ConfigValidator.

import TOMLKit

/// Reads and decodes `exokerneld`'s TOML configuration. Refuses unknown keys and tables, values
/// of the wrong type and integers that do not fit their field; does not check ranges or
/// cross-key rules (run `ConfigValidator.check` on the result).
public enum ConfigLoader {
    /// Largest configuration file accepted; anything bigger is a mistake, not a configuration.
    public static let maximumFileSize = 1 << 20

    /// Reads and decodes the file at `path`. A missing, unreadable, oversized or non-UTF-8 file
    /// is a `ConfigError` naming it. The file is opened, read and closed within this call.
    public static func load(path: String) throws(ConfigError) -> DaemonConfig {
        let text = try ConfigFileReader.readText(path: path, limit: maximumFileSize)
        return try parse(text, file: path)
    }

    /// Decodes TOML `text`; `file` is only used to name the source in errors.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> DaemonConfig {
        if text.utf8.contains(0) {
            throw ConfigError(file: file, key: nil, message: "contains a NUL byte; not a TOML file")
        }
        if let line = lineOfNULEscape(in: text) {
            // TOMLKit hands strings over as C strings: a NUL would silently cut a value short.
            throw ConfigError(
                file: file, key: nil, message: "line \(line): the escape for a NUL character is not allowed")
        }
        if let (line, column) = positionOfUnnamedTableHeader(in: text) {
            // toml++ (inside TOMLKit) asserts, aborting the process, on a table header that
            // does not start with a key (found by fuzzing: Fuzz/crashes/config-loading).
            throw ConfigError(
                file: file, key: nil, message: "line \(line), column \(column): expected a table name after '['")
        }
        if let (line, column) = positionOfDateWithoutTime(in: text) {
            // The same toml++ abort, on a date and 'T' not followed by a time (fuzzing again).
            throw ConfigError(
                file: file, key: nil, message: "line \(line), column \(column): expected a time after the date's 'T'")
        }
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let syntax as TOMLParseError {
            let at = syntax.source.begin
            throw ConfigError(
                file: file, key: nil, message: "line \(at.line), column \(at.column): \(syntax.description)")
        } catch {
            throw ConfigError(file: file, key: nil, message: "not valid TOML: \(error)")
        }
        return try decodeDocument(TOMLSection(table: root, path: "", file: file))
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

    /// The 1-based line of the first `\u0000` or `\U00000000` in `text`, if any. Also matches
    /// such text in comments and literal strings, where it is harmless but never needed.
    static func lineOfNULEscape(in text: String) -> Int? {
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where line.contains("\\u0000") || line.contains("\\U00000000") {
            return number + 1
        }
        return nil
    }
}
