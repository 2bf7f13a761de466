// The cursor over a TOML text's bytes that every part of the parser reads through: blanks,
// comments and line ends, and errors that carry the position they were found at.

/// A position in a TOML text and the lexical rules shared by keys, values and headers.
struct TOMLScanner {
    let bytes: [UInt8]
    private(set) var offset = 0

    init(_ text: String) {
        bytes = Array(text.utf8)
        // A byte-order mark is not part of the document.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { offset = 3 }
    }

    var isAtEnd: Bool { offset >= bytes.count }

    /// The byte `ahead` bytes past the cursor, or nil past the end.
    func peek(_ ahead: Int = 0) -> UInt8? {
        offset + ahead < bytes.count ? bytes[offset + ahead] : nil
    }

    func peek(is ascii: Unicode.Scalar, ahead: Int = 0) -> Bool {
        peek(ahead) == UInt8(ascii: ascii)
    }

    mutating func advance(_ count: Int = 1) {
        offset = min(offset + count, bytes.count)
    }

    /// Consumes `ascii` if it is next.
    mutating func consume(_ ascii: Unicode.Scalar) -> Bool {
        guard peek(is: ascii) else { return false }
        advance()
        return true
    }

    func error(_ message: String, at position: Int? = nil) -> TOMLSyntaxError {
        TOMLSyntaxError(message, at: position ?? offset, in: bytes)
    }

    /// Skips spaces and tabs, the only blanks TOML has within a line.
    mutating func skipBlanks() {
        while let byte = peek(), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { advance() }
    }

    /// Whether a line ends here: a line feed, a carriage return and line feed, or the end.
    var isAtLineEnd: Bool {
        isAtEnd || peek(is: "\n") || (peek(is: "\r") && peek(is: "\n", ahead: 1))
    }

    /// Skips a comment if one starts here, refusing control characters in it (a tab aside).
    mutating func skipComment() throws(TOMLSyntaxError) {
        guard peek(is: "#") else { return }
        advance()
        while !isAtLineEnd {
            try refuseControlCharacter()
            advance()
        }
    }

    /// Consumes one line end; a lone carriage return is an error.
    mutating func consumeLineEnd() throws(TOMLSyntaxError) {
        if consume("\n") { return }
        if peek(is: "\r") {
            guard peek(is: "\n", ahead: 1) else { throw error("a carriage return must be followed by a line feed") }
            advance(2)
        }
    }

    /// What may follow a key/value pair or a table header: blanks, a comment, the line's end.
    mutating func finishLine(after what: String) throws(TOMLSyntaxError) {
        skipBlanks()
        try skipComment()
        guard isAtLineEnd else {
            if peek(is: "\r") { throw error("a carriage return must be followed by a line feed") }
            throw error("expected the end of the line after \(what)")
        }
        try consumeLineEnd()
    }

    /// Skips blanks, comments and line ends: the space between values of a multi-line array.
    mutating func skipBlanksCommentsAndLines() throws(TOMLSyntaxError) {
        while true {
            skipBlanks()
            try skipComment()
            guard !isAtEnd, peek(is: "\n") || peek(is: "\r") else { return }
            try consumeLineEnd()
        }
    }

    /// Throws if the next byte is a control character other than a tab (U+0000 to U+001F,
    /// U+007F), which TOML allows neither in strings nor in comments.
    func refuseControlCharacter() throws(TOMLSyntaxError) {
        guard let byte = peek(), Self.isControl(byte) else { return }
        throw error("control character \(Self.codePoint(byte)) is not allowed; write it as an escape in a basic string")
    }

    static func isControl(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != UInt8(ascii: "\t")) || byte == 0x7F
    }

    /// `U+001B`: how messages name a character.
    static func codePoint(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    static func codePoint(_ byte: UInt8) -> String { codePoint(UInt32(byte)) }
}

extension TOMLScanner {
    /// Moves the cursor back to `position`; for a look-ahead over blanks that found nothing.
    mutating func rewind(to position: Int) {
        offset = max(0, min(position, offset))
    }
}
