// Random TOML documents for the parser's property tests: a random tree of values, and a
// random but valid way to write it (headers, implicit parents, dotted keys, inline tables,
// arrays of tables, every integer base, escapes, comments, blank lines, CRLF).

@testable import ExoDaemon

/// SplitMix64: a seeded generator, so a failing case can be replayed from its seed.
struct SeededTOMLGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Makes random value trees and renders them as TOML text.
struct RandomTOMLDocuments {
    var random: SeededTOMLGenerator

    init(seed: UInt64) { random = SeededTOMLGenerator(state: seed) }

    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }

    // MARK: Values

    static let keyPool = [
        "daemon", "frames", "count", "a", "b-c", "under_score", "42", "true", "with space", "dot.ted", "quote\"d",
        "back\\slash", "ünï", "tab\there", "", "'single'", "x", "y", "z",
    ]

    mutating func table(depth: Int) -> TOMLTable {
        var table = TOMLTable()
        for _ in 0..<Int.random(in: 0...4, using: &random) {
            table[Self.keyPool.randomElement(using: &random)!] = value(depth: depth)
        }
        return table
    }

    mutating func value(depth: Int) -> TOMLValue {
        let kinds = depth >= 3 ? 4 : 7
        switch Int.random(in: 0..<kinds, using: &random) {
        case 0: return .string(string())
        case 1: return .integer(integer())
        case 2: return .float(float())
        case 3: return .boolean(chance(50))
        case 4: return .array((0..<Int.random(in: 0...3, using: &random)).map { _ in value(depth: depth + 1) })
        case 5: return .array((0..<Int.random(in: 1...3, using: &random)).map { _ in .table(table(depth: depth + 1)) })
        default: return .table(table(depth: depth + 1))
        }
    }

    mutating func string() -> String {
        let alphabet: [Unicode.Scalar] = [
            "a", "Z", "0", " ", "/", ".", "'", "\"", "\\", "\t", "\n", "\r", "\u{1}", "\u{1F}", "\u{7F}", "é", "😀", "#",
            "=", "[", "]", "{", "}", ",",
        ]
        var text = ""
        for _ in 0..<Int.random(in: 0...8, using: &random) {
            text.unicodeScalars.append(alphabet.randomElement(using: &random)!)
        }
        return text
    }

    mutating func integer() -> Int64 {
        switch Int.random(in: 0..<3, using: &random) {
        case 0: return Int64.random(in: -100...100, using: &random)
        case 1: return Int64.random(in: Int64.min...Int64.max, using: &random)
        default: return [Int64.min, Int64.max, 0, -1][Int.random(in: 0..<4, using: &random)]
        }
    }

    mutating func float() -> Double {
        switch Int.random(in: 0..<4, using: &random) {
        case 0: return Double(Int.random(in: -1000...1000, using: &random)) / 8
        case 1: return [Double.infinity, -.infinity, 0, 1e300, -Double.leastNonzeroMagnitude][Int.random(in: 0..<5, using: &random)]
        default: return Double(bitPattern: random.next() & 0x7FEF_FFFF_FFFF_FFFF)  // finite, not NaN
        }
    }
}
