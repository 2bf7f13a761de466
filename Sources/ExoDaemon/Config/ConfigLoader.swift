// Turns a configuration file into a DaemonConfig: reads it, parses the TOML (Config/TOML/),
// decodes the sections. Errors name the file and key; semantic checks are left to ConfigValidator.

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

    /// Decodes TOML `text`; `file` is only used to name the source in errors. The text is
    /// parsed by our own strict parser (Config/TOML/), which refuses every malformed input with
    /// its line and column and never traps, so a broken file cannot end a running daemon's reload.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> DaemonConfig {
        if text.utf8.contains(0) {
            throw ConfigError(file: file, key: nil, message: "contains a NUL byte; not a TOML file")
        }
        let root: TOMLTable
        do {
            root = try TOMLDocumentParser.parse(text)
        } catch {
            throw ConfigError(file: file, key: nil, message: error.description)
        }
        return try decodeDocument(TOMLSection(table: root, path: "", file: file))
    }
}
