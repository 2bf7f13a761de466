// Keys: bare (`frame_quota`), quoted (`"my tenant"`, `'x'`) and dotted (`a.b."c"`), as used in
// key/value pairs, table headers and inline tables.

/// One part of a (dotted) key and the byte offset it starts at, for errors that point at it.
struct TOMLKeyPart: Equatable {
    var name: String
    var offset: Int
}

/// Reads keys at the scanner's cursor.
enum TOMLKeyLexer {
    /// Whether `byte` may start a key: a bare-key character or a quote.
    static func startsKey(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return isBare(byte) || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
    }

    static func isBare(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    /// A dotted key: parts separated by `.`, blanks allowed around each dot. The cursor must
    /// be on a character that `startsKey`; blanks after the key are left.
    static func dottedKey(_ scanner: inout TOMLScanner) throws(TOMLSyntaxError) -> [TOMLKeyPart] {
        var parts = [try simpleKey(&scanner)]
        while true {
            let beforeDot = scanner.offset
            scanner.skipBlanks()
            guard scanner.consume(".") else {
                // Leave the blanks after the key for the caller.
                scanner.rewind(to: beforeDot)
                return parts
            }
            scanner.skipBlanks()
            guard startsKey(scanner.peek()) else { throw scanner.error("expected a key after '.'") }
            parts.append(try simpleKey(&scanner))
        }
    }

    /// One bare or quoted key.
    static func simpleKey(_ scanner: inout TOMLScanner) throws(TOMLSyntaxError) -> TOMLKeyPart {
        let start = scanner.offset
        if scanner.peek(is: "\"") || scanner.peek(is: "'") {
            return TOMLKeyPart(name: try TOMLStringLexer.string(&scanner), offset: start)
        }
        while let byte = scanner.peek(), isBare(byte) { scanner.advance() }
        guard scanner.offset > start else { throw scanner.error("expected a key") }
        return TOMLKeyPart(
            name: String(decoding: scanner.bytes[start..<scanner.offset], as: UTF8.self), offset: start)
    }

    /// How messages show a dotted key: its parts, quoted where they are not bare.
    static func display(_ parts: [TOMLKeyPart]) -> String {
        parts.map { part in
            !part.name.isEmpty && part.name.utf8.allSatisfy(isBare) ? part.name : "\"\(part.name)\""
        }.joined(separator: ".")
    }
}
