// Why a text is not a TOML document this parser accepts, and where: the 1-based line and
// column (in Unicode characters) of the first byte that is wrong.

/// A refusal of the TOML parser: `line L, column C: message`.
struct TOMLSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    var line: Int
    var column: Int
    var message: String

    var description: String { "line \(line), column \(column): \(message)" }

    /// The error at byte `offset` of `bytes`: counts lines and, on the last one, characters
    /// (UTF-8 continuation bytes do not start a character). Only run when refusing a text.
    init(_ message: String, at offset: Int, in bytes: [UInt8]) {
        var line = 1
        var column = 1
        // A byte-order mark is not a character of the first line.
        let first = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        for byte in bytes[min(first, offset)..<min(offset, bytes.count)] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        self.init(line: line, column: column, message: message)
    }

    init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }
}
