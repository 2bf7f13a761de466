// The unquoted values: booleans, integers (decimal, hexadecimal, octal, binary, with `_`
// between digits) and floats. Dates and times are refused with their position: no
// configuration key takes one.

/// Reads one unquoted value at the scanner's cursor.
enum TOMLScalarLexer {
    /// The characters an unquoted value is made of; the first other one ends it.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        TOMLKeyLexer.isBare(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: ":")
    }

    static func scalar(_ scanner: inout TOMLScanner) throws(TOMLSyntaxError) -> TOMLValue {
        let start = scanner.offset
        while let byte = scanner.peek(), isTokenByte(byte) { scanner.advance() }
        let token = Array(scanner.bytes[start..<scanner.offset])
        let text = String(decoding: token, as: UTF8.self)
        // Messages quote the token, but not a megabyte of it.
        let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
        guard !token.isEmpty else { throw scanner.error("expected a value", at: start) }
        switch text {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        default: break
        }
        if looksLikeDateOrTime(token) {
            throw scanner.error("dates and times are not accepted here: no key takes one", at: start)
        }
        if let value = try integer(token, shown: shown, scanner: scanner, at: start) { return .integer(value) }
        if isFloat(token), let value = Double(text.filter { $0 != "_" }) { return .float(value) }
        if let first = token.first, isDigit(first) || first == UInt8(ascii: "+") || first == UInt8(ascii: "-")
            || first == UInt8(ascii: ".")
        {
            throw scanner.error("'\(shown)' is not a valid number", at: start)
        }
        throw scanner.error("expected a value, got '\(shown)'; a string must be in quotes", at: start)
    }

    /// `1979-05-27…` or `07:32…`: what every TOML date, time and date-time starts with.
    static func looksLikeDateOrTime(_ token: [UInt8]) -> Bool {
        func digits(_ range: Range<Int>) -> Bool { range.allSatisfy { $0 < token.count && isDigit(token[$0]) } }
        return (digits(0..<4) && token.count > 4 && token[4] == UInt8(ascii: "-"))
            || (digits(0..<2) && token.count > 2 && token[2] == UInt8(ascii: ":"))
    }

    /// The integer `token` spells, nil if it is not an integer's shape; throws if it has the
    /// shape but does not fit 64 bits.
    static func integer(
        _ token: [UInt8], shown: String, scanner: TOMLScanner, at start: Int
    ) throws(TOMLSyntaxError) -> Int64? {
        var body = token[...]
        var radix = 10
        var negative = false
        if body.count > 2, body.first == UInt8(ascii: "0"), let prefix = Self.radix(body[body.startIndex + 1]) {
            radix = prefix
            body = body.dropFirst(2)
        } else {
            if let sign = body.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                negative = sign == UInt8(ascii: "-")
                body = body.dropFirst()
            }
            // No leading zeros in decimal: `0` alone, or a digit 1-9 first.
            if body.count > 1, body.first == UInt8(ascii: "0") { return nil }
        }
        guard digitRun(body, radix: radix) == body.endIndex else { return nil }
        let digits = String(decoding: body.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
        guard let value = Int64((negative ? "-" : "") + digits, radix: radix) else {
            throw scanner.error("'\(shown)' does not fit a 64-bit integer", at: start)
        }
        return value
    }

    /// A decimal float: an integer part without leading zeros, then a fraction, an exponent
    /// or both.
    static func isFloat(_ token: [UInt8]) -> Bool {
        var rest = token[...]
        if let sign = rest.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { rest = rest.dropFirst() }
        guard let integerEnd = digitRun(rest, radix: 10) else { return false }
        if integerEnd - rest.startIndex > 1 && rest.first == UInt8(ascii: "0") { return false }
        rest = rest[integerEnd...]
        var hasFraction = false
        if rest.first == UInt8(ascii: ".") {
            guard let fractionEnd = digitRun(rest.dropFirst(), radix: 10) else { return false }
            rest = rest[fractionEnd...]
            hasFraction = true
        }
        if let e = rest.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            rest = rest.dropFirst()
            if let sign = rest.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { rest = rest.dropFirst() }
            guard let exponentEnd = digitRun(rest, radix: 10) else { return false }
            return exponentEnd == rest.endIndex
        }
        return hasFraction && rest.isEmpty
    }

    /// The end of the digits of `radix` at the start of `bytes`, with single underscores
    /// only between two digits; nil if no digit starts it.
    static func digitRun(_ bytes: ArraySlice<UInt8>, radix: Int) -> Int? {
        var index = bytes.startIndex
        guard index < bytes.endIndex, isDigit(bytes[index], radix: radix) else { return nil }
        while index < bytes.endIndex {
            if isDigit(bytes[index], radix: radix) {
                index += 1
            } else if bytes[index] == UInt8(ascii: "_"), index + 1 < bytes.endIndex,
                isDigit(bytes[index + 1], radix: radix)
            {
                index += 1
            } else {
                break
            }
        }
        return index
    }

    static func radix(_ letter: UInt8) -> Int? {
        switch letter {
        case UInt8(ascii: "x"): return 16
        case UInt8(ascii: "o"): return 8
        case UInt8(ascii: "b"): return 2
        default: return nil
        }
    }

    static func isDigit(_ byte: UInt8, radix: Int = 10) -> Bool {
        if radix == 16 { return TOMLStringLexer.hexDigit(byte) != nil }
        return byte >= UInt8(ascii: "0") && Int(byte - UInt8(ascii: "0")) < radix
    }
}
