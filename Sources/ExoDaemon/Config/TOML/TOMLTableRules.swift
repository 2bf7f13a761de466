// TOML's rules on where a header or a key may put something: a table is defined once, a key
// holds one value, inline tables and static arrays cannot be added to, dotted keys and
// headers do not reach into each other's tables. Every breach is an error at the key.

/// Places tables and values into the tree under construction, refusing what TOML refuses.
struct TOMLTableRules {
    /// The text, for the position of errors.
    let bytes: [UInt8]

    /// Deepest nesting of tables and arrays; deeper documents are refused, so no part of
    /// parsing, freezing or decoding can recurse far enough to exhaust the stack.
    static let maximumDepth = 64

    func error(_ message: String, at part: TOMLKeyPart) -> TOMLSyntaxError {
        TOMLSyntaxError(message, at: part.offset, in: bytes)
    }

    /// The table a `[path]` header opens.
    func defineTable(_ path: [TOMLKeyPart], in root: TOMLTableNode) throws(TOMLSyntaxError) -> TOMLTableNode {
        let (parent, last) = try headerParent(path, in: root)
        let name = "[\(TOMLKeyLexer.display(path))]"
        switch parent[last.name] {
        case nil:
            return try newTable(origin: .header, for: last, in: parent)
        case .table(let node):
            switch node.origin {
            case .implicit:
                node.origin = .header
                return node
            case .dotted:
                throw error("table \(name) was already made by dotted keys; a header cannot define it again", at: last)
            case .header, .inline:
                throw error("table \(name) is already defined", at: last)
            }
        case .tableArray:
            throw error("\(name) is already an array of tables ([\(name)]); a table header cannot define it", at: last)
        case .value(let value):
            throw alreadyValue(path, value, at: last)
        }
    }

    /// The new last table of the array a `[[path]]` header appends to.
    func appendTable(_ path: [TOMLKeyPart], in root: TOMLTableNode) throws(TOMLSyntaxError) -> TOMLTableNode {
        let (parent, last) = try headerParent(path, in: root)
        let name = TOMLKeyLexer.display(path)
        switch parent[last.name] {
        case nil:
            let array = TOMLTableArray()
            parent.insert(.tableArray(array), for: last.name)
            let element = try newTable(origin: .header, for: last, in: parent, inserted: false)
            array.elements.append(element)
            return element
        case .tableArray(let array):
            let element = try newTable(origin: .header, for: last, in: parent, inserted: false)
            array.elements.append(element)
            return element
        case .table:
            throw error("'\(name)' is already a table; [[\(name)]] cannot make it an array of tables", at: last)
        case .value(let value):
            if case .array = value {
                throw error("'\(name)' is an array value (\(name) = [...]); [[\(name)]] cannot append to it", at: last)
            }
            throw alreadyValue(path, value, at: last)
        }
    }

    /// Puts `value` at the dotted `key` inside `table`, making the dotted key's tables.
    func insert(_ value: TOMLValue, at key: [TOMLKeyPart], in table: TOMLTableNode) throws(TOMLSyntaxError) {
        var current = table
        for (index, part) in key.dropLast().enumerated() {
            switch current[part.name] {
            case nil:
                current = try newTable(origin: .dotted, for: part, in: current)
            case .table(let node) where node.origin == .dotted:
                current = node
            case .table:
                throw error(
                    "table '\(TOMLKeyLexer.display(Array(key[...index])))' has its own [header]; "
                        + "a dotted key cannot add to it", at: part)
            case .tableArray:
                throw error(
                    "'\(TOMLKeyLexer.display(Array(key[...index])))' is an array of tables; "
                        + "a dotted key cannot add to it", at: part)
            case .value(let existing):
                throw alreadyValue(Array(key[...index]), existing, at: part)
            }
        }
        let last = key[key.count - 1]
        guard current[last.name] == nil else {
            throw error("key '\(TOMLKeyLexer.display(key))' is already defined", at: last)
        }
        current.insert(.value(value), for: last.name)
    }

    /// Walks a header's path but its last part, making implicit tables; through an array of
    /// tables it goes into the last element.
    private func headerParent(
        _ path: [TOMLKeyPart], in root: TOMLTableNode
    ) throws(TOMLSyntaxError) -> (TOMLTableNode, TOMLKeyPart) {
        var current = root
        for (index, part) in path.dropLast().enumerated() {
            switch current[part.name] {
            case nil:
                current = try newTable(origin: .implicit, for: part, in: current)
            case .table(let node):
                current = node
            case .tableArray(let array):
                // Never empty: an array of tables is made with its first element.
                guard let last = array.elements.last else { throw error("empty array of tables", at: part) }
                current = last
            case .value(let value):
                throw alreadyValue(Array(path[...index]), value, at: part)
            }
        }
        return (current, path[path.count - 1])
    }

    private func newTable(
        origin: TOMLTableNode.Origin, for part: TOMLKeyPart, in parent: TOMLTableNode, inserted: Bool = true
    ) throws(TOMLSyntaxError) -> TOMLTableNode {
        guard parent.depth < Self.maximumDepth else {
            throw error("nested more than \(Self.maximumDepth) levels deep", at: part)
        }
        let node = TOMLTableNode(origin: origin, depth: parent.depth + 1)
        if inserted { parent.insert(.table(node), for: part.name) }
        return node
    }

    private func alreadyValue(_ path: [TOMLKeyPart], _ value: TOMLValue, at part: TOMLKeyPart) -> TOMLSyntaxError {
        let name = TOMLKeyLexer.display(path)
        if case .table = value {
            return error("'\(name)' is an inline table ({ ... }); nothing can be added to it", at: part)
        }
        return error("'\(name)' is already a value, not a table", at: part)
    }
}
