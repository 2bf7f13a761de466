// Shared helpers for the TOML parser's specifications: parse a text, or get the error it
// gives as `line L, column C: message`.

@testable import ExoDaemon

enum TOMLText {
    /// The document `text` parses to; throws the parser's error.
    static func parse(_ text: String) throws -> TOMLTable {
        try TOMLDocumentParser.parse(text)
    }

    /// The refusal of `text` as the operator reads it, or nil when it parses.
    static func error(_ text: String) -> String? {
        do {
            _ = try TOMLDocumentParser.parse(text)
            return nil
        } catch {
            return error.description
        }
    }

    /// The value of `key` in the one-line document `key = <value>`.
    static func value(_ value: String) throws -> TOMLValue? {
        try parse("v = \(value)\n")["v"]
    }
}
