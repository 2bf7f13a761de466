// Single-line strings, as values and as quoted keys: "basic" with escapes and 'literal'
// without. Multi-line strings are refused: no configuration key takes a multi-line value.

/// Reads one quoted string at the scanner's cursor.
enum TOMLStringLexer {
    /// Reads a basic (`"`) or literal (`'`) string starting at the cursor, which must be on
    /// its opening quote.
    static func string(_ scanner: inout TOMLScanner) throws(TOMLSyntaxError) -> String {
        let start = scanner.offset
        let quote = scanner.peek()
        if scanner.peek(1) == quote && scanner.peek(2) == quote {
            throw scanner.error(
                "multi-line strings (\"\"\" or ''') are not accepted here: no key takes one; write the value on one line",
                at: start)
        }
        scanner.advance()
        var utf8: [UInt8] = []
        let basic = quote == UInt8(ascii: "\"")
        while true {
            guard let byte = scanner.peek(), byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\r") else {
                throw scanner.error("unterminated string: the closing quote is missing on this line", at: start)
            }
            if byte == quote {
                scanner.advance()
                // Valid: the input was a String, and escapes add only whole scalars.
                return String(decoding: utf8, as: UTF8.self)
            }
            if basic && byte == UInt8(ascii: "\\") {
                try escape(&scanner, into: &utf8)
                continue
            }
            try scanner.refuseControlCharacter()
            utf8.append(byte)
            scanner.advance()
        }
    }

    /// One escape sequence in a basic string; the cursor is on its backslash.
    private static func escape(_ scanner: inout TOMLScanner, into utf8: inout [UInt8]) throws(TOMLSyntaxError) {
        let start = scanner.offset
        scanner.advance()
        let simple: [UInt8: UInt8] = [
            UInt8(ascii: "b"): 0x08, UInt8(ascii: "t"): 0x09, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "f"): 0x0C,
            UInt8(ascii: "r"): 0x0D, UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C,
        ]
        guard let letter = scanner.peek() else { throw scanner.error("unterminated string", at: start) }
        if let byte = simple[letter] {
            utf8.append(byte)
            scanner.advance()
            return
        }
        let digits: Int
        switch letter {
        case UInt8(ascii: "u"): digits = 4
        case UInt8(ascii: "U"): digits = 8
        default:
            let shown = letter < 0x80 && !TOMLScanner.isControl(letter) ? String(UnicodeScalar(letter)) : "…"
            throw scanner.error(
                "invalid escape '\\\(shown)'; the escapes are \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX",
                at: start)
        }
        scanner.advance()
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard let byte = scanner.peek(), let digit = hexDigit(byte) else {
                throw scanner.error("\\\(UnicodeScalar(letter)) needs exactly \(digits) hexadecimal digits", at: start)
            }
            value = value << 4 | digit
            scanner.advance()
        }
        if value == 0 {
            // A NUL would end the value early wherever it reaches C (a socket path, a name).
            throw scanner.error("the escape for a NUL character is not allowed", at: start)
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw scanner.error("\(TOMLScanner.codePoint(value)) is not a Unicode scalar value", at: start)
        }
        UTF8.encode(scalar) { utf8.append($0) }
    }

    static func hexDigit(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }
}
