// Typed, path-aware reads from one TOML table: every failure becomes a ConfigError naming the
// exact key path, and keys nobody asked for are rejected so typos cannot pass silently.

/// One table of the parsed document and where it sits in it, while a file is decoded.
struct TOMLSection {
    let table: TOMLTable
    /// Key path of this table: `""` for the document, `daemon`, `tenant[1]`.
    let path: String
    let file: String

    /// The full key path of `key` inside this table.
    func path(of key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    func error(_ key: String, _ message: String) -> ConfigError {
        ConfigError(file: file, key: path(of: key), message: message)
    }

    /// Refuses any key not in `known`, suggesting the nearest known key for a likely typo.
    func rejectUnknownKeys(known: [String]) throws(ConfigError) {
        for key in table.keys where !known.contains(key) {
            var message = "unknown key '\(key)'"
            if let guess = known.min(by: { editDistance(key, $0) < editDistance(key, $1) }),
                editDistance(key, guess) <= 2
            {
                message += "; did you mean '\(guess)'?"
            } else {
                message += "; expected one of: " + known.joined(separator: ", ")
            }
            throw error(key, message)
        }
    }

    func string(_ key: String) throws(ConfigError) -> String? {
        guard let value = table[key] else { return nil }
        guard let string = value.string else { throw mismatch(key, expected: .string, got: value.kind) }
        return string
    }

    func bool(_ key: String) throws(ConfigError) -> Bool? {
        guard let value = table[key] else { return nil }
        guard let bool = value.bool else { throw mismatch(key, expected: .boolean, got: value.kind) }
        return bool
    }

    /// An integer that must fit `T`; out of range is an error naming `T`'s bounds.
    func integer<T: FixedWidthInteger>(_ key: String, as type: T.Type) throws(ConfigError) -> T? {
        guard let value = table[key] else { return nil }
        return try Self.integer(value, at: path(of: key), file: file, as: type)
    }

    /// An array whose elements are integers that fit `T`.
    func integers<T: FixedWidthInteger>(_ key: String, as type: T.Type) throws(ConfigError) -> [T]? {
        guard let value = table[key] else { return nil }
        guard let array = value.array else { throw mismatch(key, expected: .array, got: value.kind) }
        var result: [T] = []
        for index in 0..<array.count {
            result.append(try Self.integer(array[index], at: "\(path(of: key))[\(index)]", file: file, as: type))
        }
        return result
    }

    /// A sub-table written `[key]`.
    func section(_ key: String) throws(ConfigError) -> TOMLSection? {
        guard let value = table[key] else { return nil }
        guard let sub = value.table else { throw mismatch(key, expected: .table, got: value.kind) }
        return TOMLSection(table: sub, path: path(of: key), file: file)
    }

    /// An array of tables written `[[key]]`; element `i` has path `key[i]`.
    func sections(_ key: String) throws(ConfigError) -> [TOMLSection]? {
        guard let value = table[key] else { return nil }
        guard let array = value.array else {
            throw error(key, "expected an array of tables ([[\(key)]]), got \(Self.noun(value.kind))")
        }
        var result: [TOMLSection] = []
        for index in 0..<array.count {
            let elementPath = "\(path(of: key))[\(index)]"
            guard let sub = array[index].table else {
                throw ConfigError(
                    file: file, key: elementPath,
                    message: "expected a table, got \(Self.noun(array[index].kind))")
            }
            result.append(TOMLSection(table: sub, path: elementPath, file: file))
        }
        return result
    }

    private func mismatch(_ key: String, expected: TOMLValue.Kind, got: TOMLValue.Kind) -> ConfigError {
        error(key, "expected \(Self.noun(expected)), got \(Self.noun(got))")
    }

    private static func integer<T: FixedWidthInteger>(
        _ value: TOMLValue, at keyPath: String, file: String, as type: T.Type
    ) throws(ConfigError) -> T {
        guard let int = value.integer else {
            throw ConfigError(
                file: file, key: keyPath, message: "expected \(noun(.integer)), got \(noun(value.kind))")
        }
        guard let exact = T(exactly: int) else {
            throw ConfigError(file: file, key: keyPath, message: "must be between \(T.min) and \(T.max)")
        }
        return exact
    }

    /// "an integer", "a string": TOML types as an error message names them.
    static func noun(_ kind: TOMLValue.Kind) -> String {
        switch kind {
        case .table: return "a table"
        case .array: return "an array"
        case .string: return "a string"
        case .integer: return "an integer"
        case .float: return "a floating-point number"
        case .boolean: return "a boolean"
        }
    }
}

/// Levenshtein distance, for "did you mean" hints on short key names.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.utf8)
    let b = Array(b.utf8)
    if a.isEmpty { return b.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in stride(from: 1, through: b.count, by: 1) {
            let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
            current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
        }
        previous = current
    }
    return previous[b.count]
}
