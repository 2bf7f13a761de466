// One value after `=`: a string, a scalar, an array (over several lines if need be) or an
// inline table (on one line). Nesting is bounded, so hostile input cannot exhaust the stack.

/// Parses values at the scanner's cursor.
struct TOMLValueParser {
    let rules: TOMLTableRules

    /// The value at the cursor; `depth` is how deep it sits (its table's depth plus its key's
    /// parts), and arrays and inline tables inside it count one more each.
    func value(_ scanner: inout TOMLScanner, depth: Int) throws(TOMLSyntaxError) -> TOMLValue {
        switch scanner.peek() {
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            return .string(try TOMLStringLexer.string(&scanner))
        case UInt8(ascii: "["):
            return try array(&scanner, depth: try deeper(depth, scanner))
        case UInt8(ascii: "{"):
            return try inlineTable(&scanner, depth: try deeper(depth, scanner))
        case let byte? where TOMLScalarLexer.isTokenByte(byte):
            return try TOMLScalarLexer.scalar(&scanner)
        default:
            throw scanner.error("expected a value")
        }
    }

    private func deeper(_ depth: Int, _ scanner: TOMLScanner) throws(TOMLSyntaxError) -> Int {
        guard depth < TOMLTableRules.maximumDepth else {
            throw scanner.error("nested more than \(TOMLTableRules.maximumDepth) levels deep")
        }
        return depth + 1
    }

    /// `[v, v, ...]`: blanks, line ends and comments between the elements, a trailing comma
    /// allowed.
    private func array(_ scanner: inout TOMLScanner, depth: Int) throws(TOMLSyntaxError) -> TOMLValue {
        let start = scanner.offset
        scanner.advance()
        var elements: [TOMLValue] = []
        while true {
            try scanner.skipBlanksCommentsAndLines()
            if scanner.consume("]") { return .array(elements) }
            if scanner.isAtEnd { throw scanner.error("unterminated array: ']' is missing", at: start) }
            elements.append(try value(&scanner, depth: depth))
            try scanner.skipBlanksCommentsAndLines()
            if scanner.consume(",") { continue }
            if scanner.consume("]") { return .array(elements) }
            if scanner.isAtEnd { throw scanner.error("unterminated array: ']' is missing", at: start) }
            throw scanner.error("expected ',' or ']' after an array element")
        }
    }

    /// `{ k = v, k.k = v }` on one line, no trailing comma. Its keys follow the rules of a
    /// table's (no key twice; dotted keys make tables inside it), and once closed nothing can
    /// be added to it.
    private func inlineTable(_ scanner: inout TOMLScanner, depth: Int) throws(TOMLSyntaxError) -> TOMLValue {
        let start = scanner.offset
        scanner.advance()
        let table = TOMLTableNode(origin: .inline, depth: depth)
        scanner.skipBlanks()
        if scanner.consume("}") { return .table(table.frozen()) }
        while true {
            try refuseLineEnd(scanner, in: start)
            guard TOMLKeyLexer.startsKey(scanner.peek()) else { throw scanner.error("expected a key") }
            let key = try TOMLKeyLexer.dottedKey(&scanner)
            scanner.skipBlanks()
            guard scanner.consume("=") else { throw scanner.error("expected '=' after the key") }
            scanner.skipBlanks()
            try refuseLineEnd(scanner, in: start)
            let element = try value(&scanner, depth: depth + key.count - 1)
            try rules.insert(element, at: key, in: table)
            scanner.skipBlanks()
            if scanner.consume("}") { return .table(table.frozen()) }
            try refuseLineEnd(scanner, in: start)
            guard scanner.consume(",") else { throw scanner.error("expected ',' or '}' after a value in an inline table") }
            scanner.skipBlanks()
            if scanner.peek(is: "}") {
                throw scanner.error("a trailing comma is not allowed in an inline table")
            }
        }
    }

    /// An inline table ends on the line it starts on.
    private func refuseLineEnd(_ scanner: TOMLScanner, in start: Int) throws(TOMLSyntaxError) {
        if scanner.isAtEnd || scanner.peek(is: "\n") || scanner.peek(is: "\r") {
            throw scanner.error("unterminated inline table: '}' is missing on this line", at: start)
        }
    }
}
