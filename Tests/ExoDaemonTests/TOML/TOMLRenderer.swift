// Writes a value tree as TOML text, choosing at random among the valid ways to write each
// part, so that parsing the text back must give the same tree whatever was chosen.

@testable import ExoDaemon

extension RandomTOMLDocuments {
    /// `document` as a TOML text.
    mutating func render(_ document: TOMLTable) -> String {
        var lines: [String] = []
        renderSection(document, path: [], into: &lines, header: .none)
        let newline = chance(20) ? "\r\n" : "\n"
        return lines.joined(separator: newline) + (chance(80) ? newline : "")
    }

    /// Whether a table's section starts with its `[header]`.
    private enum Header {
        /// The document, or an element of an array of tables (its `[[header]]` is written).
        case none
        /// A table: its header may be left out when it holds only tables written under
        /// headers of their own (an implicit table).
        case optional
    }

    /// The body of a table at `path`: its values first, then the tables written under headers.
    private mutating func renderSection(_ table: TOMLTable, path: [String], into lines: inout [String], header: Header) {
        var valueLines: [String] = []
        var headed: [(String, TOMLValue)] = []
        for key in table.keys {
            let value = table[key]!
            let isTableArray = value.array.map { !$0.isEmpty && $0.allSatisfy { $0.table != nil } } ?? false
            if value.table != nil || isTableArray, chance(60) {
                headed.append((key, value))
            } else {
                for (dotted, leaf) in keyValues(key: [key], value) {
                    valueLines.append("\(renderKeys(dotted, separator: chance(20) ? " . " : ".")) = \(leaf)")
                }
            }
        }
        if chance(15) { lines.append(chance(50) ? "" : comment()) }
        if header == .optional && !(valueLines.isEmpty && !headed.isEmpty && chance(50)) {
            lines.append("[\(renderKeys(path))]" + decoration())
        }
        for line in valueLines { lines.append(indent() + line + decoration()) }
        for (key, value) in headed {
            if let sub = value.table {
                renderSection(sub, path: path + [key], into: &lines, header: .optional)
            } else {
                for element in value.array ?? [] {
                    lines.append("[[\(renderKeys(path + [key]))]]" + decoration())
                    renderSection(element.table!, path: path + [key], into: &lines, header: .none)
                }
            }
        }
    }

    /// `key = value` lines for `value`: one line, or (for a non-empty table, at random) one
    /// dotted line per leaf.
    private mutating func keyValues(key: [String], _ value: TOMLValue) -> [([String], String)] {
        if let table = value.table, !table.isEmpty, chance(50) {
            return table.keys.flatMap { keyValues(key: key + [$0], table[$0]!) }
        }
        return [(key, renderValue(value))]
    }

    mutating func renderValue(_ value: TOMLValue) -> String {
        switch value {
        case .string(let text): return renderString(text)
        case .integer(let number): return renderInteger(number)
        case .float(let number): return "\(number)"
        case .boolean(let flag): return flag ? "true" : "false"
        case .array(let elements):
            guard !elements.isEmpty else { return chance(50) ? "[]" : "[ \(comment())\n]" }
            var text = "["
            for (index, element) in elements.enumerated() {
                text += (chance(30) ? " \(comment())\n  " : " ") + renderValue(element)
                if index < elements.count - 1 || chance(30) { text += "," }
            }
            return text + (chance(30) ? "\n" : " ") + "]"
        case .table(let table):
            let pairs = table.keys.flatMap { key in keyValuesInline(key: [key], table[key]!) }
            return pairs.isEmpty ? "{}" : "{ " + pairs.joined(separator: ", ") + " }"
        }
    }

    private mutating func keyValuesInline(key: [String], _ value: TOMLValue) -> [String] {
        keyValues(key: key, value).map { "\(renderKeys($0.0)) = \($0.1)" }
    }

    /// A dotted key, each part written in one of its valid ways.
    mutating func renderKeys(_ keys: [String], separator: String = ".") -> String {
        var parts: [String] = []
        for key in keys { parts.append(renderKey(key)) }
        return parts.joined(separator: separator)
    }

    mutating func renderKey(_ key: String) -> String {
        if !key.isEmpty, key.utf8.allSatisfy(TOMLKeyLexer.isBare), chance(80) { return key }
        if !key.contains("'"), !key.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }), chance(50) {
            return "'\(key)'"
        }
        return renderString(key, basic: true)
    }

    mutating func renderString(_ text: String, basic: Bool = false) -> String {
        if !basic, !text.contains("'"), !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }),
            chance(30)
        {
            return "'\(text)'"
        }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += chance(50) ? "\\n" : "\\u000A"
            case "\t": out += chance(50) ? "\\t" : "\t"
            case "\r": out += "\\r"
            case "\u{8}": out += "\\b"
            case "\u{C}": out += "\\f"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || chance(10) {
                    // \u takes only the Basic Multilingual Plane; \U takes any scalar.
                    out += scalar.value <= 0xFFFF && chance(50)
                        ? "\\u" + hex(scalar.value, width: 4) : "\\U" + hex(scalar.value, width: 8)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    mutating func renderInteger(_ number: Int64) -> String {
        if number >= 0, chance(30) {
            let (prefix, radix) = [("0x", 16), ("0o", 8), ("0b", 2)][Int.random(in: 0..<3, using: &random)]
            return prefix + underscored(String(number, radix: radix, uppercase: chance(50)))
        }
        let sign = number >= 0 && chance(20) ? "+" : ""
        return sign + (number < 0 ? "-" : "") + underscored(String(number.magnitude))
    }

    /// `digits` with an underscore between some pairs of digits.
    private mutating func underscored(_ digits: String) -> String {
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, chance(15) { out += "_" }
            out.append(digit)
        }
        return out
    }

    private mutating func decoration() -> String { chance(20) ? "  \(comment())" : (chance(20) ? " \t" : "") }

    private mutating func comment() -> String { chance(50) ? "# note ü \"'[]=" : "#" }

    private mutating func indent() -> String { chance(20) ? "  \t" : "" }
}
