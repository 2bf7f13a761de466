// A configuration problem that stops the daemon from starting, naming the file, the key path
// (`frames.count`, `tenant[1].uids`) and what is wrong with it.

/// One reason a configuration is refused. `description` is the line an operator sees:
/// `FILE: KEY: MESSAGE`, or `FILE: MESSAGE` when no key is at fault (syntax, unreadable file).
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configuration file as the operator named it.
    public var file: String
    /// Dotted key path with array indices, e.g. `tenant[1].uids[0]`; `nil` for file-level errors.
    public var key: String?
    /// What is wrong, in words an operator can act on.
    public var message: String

    public init(file: String, key: String?, message: String) {
        self.file = file
        self.key = key
        self.message = message
    }

    public var description: String {
        if let key { return "\(file): \(key): \(message)" }
        return "\(file): \(message)"
    }
}
