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
        try TOMLAbortGuard.check(text, file: file)
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
