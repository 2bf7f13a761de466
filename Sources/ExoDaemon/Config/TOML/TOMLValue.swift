// The values a parsed TOML document holds: what the configuration decoders read. Immutable
// once parsed; tables keep their keys in document order.

/// One TOML value. Dates and times are not among them: the parser refuses them (no
/// configuration key takes one), as docs/man/exokerneld.toml.5 says.
enum TOMLValue: Equatable, Sendable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case boolean(Bool)
    case array([TOMLValue])
    case table(TOMLTable)

    /// The kinds of value, for "expected X, got Y" messages.
    enum Kind: Equatable, Sendable {
        case string, integer, float, boolean, array, table
    }

    var kind: Kind {
        switch self {
        case .string: return .string
        case .integer: return .integer
        case .float: return .float
        case .boolean: return .boolean
        case .array: return .array
        case .table: return .table
        }
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    var float: Double? {
        if case .float(let value) = self { return value }
        return nil
    }

    var bool: Bool? {
        if case .boolean(let value) = self { return value }
        return nil
    }

    var array: [TOMLValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    var table: TOMLTable? {
        if case .table(let value) = self { return value }
        return nil
    }
}

/// A TOML table: keys in the order the document first wrote them, each with one value. An
/// array of tables (`[[x]]`) is an `.array` of `.table`s. Two tables are equal when they map
/// the same keys to equal values, whatever the order (TOML tables are unordered).
struct TOMLTable: Equatable, Sendable {
    /// The keys in document order.
    private(set) var keys: [String] = []
    private var values: [String: TOMLValue] = [:]

    init() {}

    /// A table of `entries`, in their order; a repeated key keeps its last value.
    init(_ entries: [(String, TOMLValue)]) {
        for (key, value) in entries { self[key] = value }
    }

    subscript(key: String) -> TOMLValue? {
        get { values[key] }
        set {
            if let newValue {
                if values.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if values.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    var isEmpty: Bool { keys.isEmpty }

    static func == (lhs: TOMLTable, rhs: TOMLTable) -> Bool { lhs.values == rhs.values }
}
