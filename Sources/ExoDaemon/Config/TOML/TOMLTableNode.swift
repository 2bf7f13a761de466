// The document while it is being built: mutable tables that remember how they came to be,
// because TOML's rules on defining a table twice depend on it. Frozen into TOMLTable at the end.

/// A table under construction. A reference type: headers and dotted keys reach into tables
/// made earlier and add to them.
final class TOMLTableNode {
    /// How a table was made, which decides what may add to it later.
    enum Origin {
        /// Named only as a prefix of a header (`a` in `[a.b]`): a later `[a]` may still define it.
        case implicit
        /// Defined by its own `[header]`, or an element of an array of tables.
        case header
        /// Made by a dotted key (`a.b = 1` makes `a`): later dotted keys in the same table
        /// may add to it, a header may not define it but may define tables under it.
        case dotted
        /// Made while parsing an inline table: nothing outside it may add to it.
        case inline
    }

    enum Entry {
        case value(TOMLValue)
        case table(TOMLTableNode)
        /// Made by `[[key]]`: later `[[key]]` headers append to it.
        case tableArray(TOMLTableArray)
    }

    var origin: Origin
    /// Distance from the document (the document is 0), to bound nesting.
    let depth: Int
    private(set) var keys: [String] = []
    private(set) var entries: [String: Entry] = [:]

    init(origin: Origin, depth: Int) {
        self.origin = origin
        self.depth = depth
    }

    subscript(key: String) -> Entry? { entries[key] }

    func insert(_ entry: Entry, for key: String) {
        if entries.updateValue(entry, forKey: key) == nil { keys.append(key) }
    }

    /// The finished table: values, sub-tables and arrays of tables in document order.
    func frozen() -> TOMLTable {
        var table = TOMLTable()
        for key in keys {
            switch entries[key] {
            case .value(let value): table[key] = value
            case .table(let node): table[key] = .table(node.frozen())
            case .tableArray(let array): table[key] = .array(array.elements.map { .table($0.frozen()) })
            case nil: break
            }
        }
        return table
    }
}

/// The tables of one `[[key]]` array, in order; the last one is the one headers under it
/// (`[key.sub]`, `[[key.sub]]`) add to.
final class TOMLTableArray {
    var elements: [TOMLTableNode] = []
}
