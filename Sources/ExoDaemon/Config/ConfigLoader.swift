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
}
