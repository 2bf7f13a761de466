// The whole document, line by line: blank and comment lines, `[table]` and `[[array]]`
// headers, and `key = value` pairs into the table the last header opened.

/// Parses the TOML subset the configuration uses (docs/man/exokerneld.toml.5, "SYNTAX").
/// Pure: no I/O; any input ends in a table or a `TOMLSyntaxError` with its line and column.
enum TOMLDocumentParser {
    static func parse(_ text: String) throws(TOMLSyntaxError) -> TOMLTable {
        var scanner = TOMLScanner(text)
        let rules = TOMLTableRules(bytes: scanner.bytes)
        let values = TOMLValueParser(rules: rules)
        let root = TOMLTableNode(origin: .header, depth: 0)
        var current = root
        while !scanner.isAtEnd {
            scanner.skipBlanks()
            if scanner.peek(is: "[") {
                current = try header(&scanner, rules: rules, root: root)
            } else if TOMLKeyLexer.startsKey(scanner.peek()) {
                let key = try TOMLKeyLexer.dottedKey(&scanner)
                scanner.skipBlanks()
                guard scanner.consume("=") else { throw scanner.error("expected '=' after the key") }
                scanner.skipBlanks()
                let value = try values.value(&scanner, depth: current.depth + key.count - 1)
                try rules.insert(value, at: key, in: current)
                try scanner.finishLine(after: "the value")
            } else if scanner.peek(is: "#") || scanner.isAtLineEnd {
                try scanner.finishLine(after: "the comment")
            } else if scanner.peek(is: "\r") {
                throw scanner.error("a carriage return must be followed by a line feed")
            } else {
                try scanner.refuseControlCharacter()
                throw scanner.error("expected a key, a [table] header or a comment")
            }
        }
        return root.frozen()
    }

    /// `[a.b]` or `[[a.b]]` and the rest of its line; returns the table it opens.
    private static func header(
        _ scanner: inout TOMLScanner, rules: TOMLTableRules, root: TOMLTableNode
    ) throws(TOMLSyntaxError) -> TOMLTableNode {
        scanner.advance()
        let isArray = scanner.consume("[")
        scanner.skipBlanks()
        if scanner.peek(is: "]") { throw scanner.error("a table name cannot be blank") }
        guard TOMLKeyLexer.startsKey(scanner.peek()) else { throw scanner.error("expected a table name after '['") }
        let path = try TOMLKeyLexer.dottedKey(&scanner)
        scanner.skipBlanks()
        let close = isArray ? "]]" : "]"
        guard scanner.consume("]"), !isArray || scanner.consume("]") else {
            throw scanner.error("expected '\(close)' to close the header")
        }
        let table = isArray ? try rules.appendTable(path, in: root) : try rules.defineTable(path, in: root)
        try scanner.finishLine(after: "the header")
        return table
    }
}
