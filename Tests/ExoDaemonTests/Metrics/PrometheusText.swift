// A strict reader of the Prometheus text format (version 0.0.4) for the tests: every line is a
// HELP, a TYPE or a sample; a sample's family was TYPEd before it; names, label names and
// escapes are the format's; each series appears once. Anything else fails the read.

import Foundation

struct PrometheusText {
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct FormatError: Error, CustomStringConvertible {
        var description: String
    }

    private(set) var samples: [Sample] = []
    /// TYPE by family name.
    private(set) var types: [String: String] = [:]
    private(set) var help: [String: String] = [:]

    init(_ text: String) throws {
        guard text.isEmpty || text.hasSuffix("\n") else { throw FormatError(description: "does not end with a newline") }
        var seen: Set<String> = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            if line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ")
                guard parts.count == 2, Self.isMetricName(parts[0]),
                    ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[1])
                else { throw FormatError(description: "bad TYPE line: \(line)") }
                guard types[String(parts[0])] == nil else { throw FormatError(description: "second TYPE for \(parts[0])") }
                types[String(parts[0])] = String(parts[1])
            } else if line.hasPrefix("# HELP ") {
                let rest = line.dropFirst(7)
                let name = rest.prefix { $0 != " " }
                guard Self.isMetricName(name) else { throw FormatError(description: "bad HELP line: \(line)") }
                help[String(name)] = String(rest.dropFirst(name.count + 1))
            } else if line.hasPrefix("#") || line.isEmpty {
                throw FormatError(description: "unexpected line: '\(line)'")
            } else {
                let sample = try Self.sample(line)
                guard types[Self.family(of: sample.name)] != nil else {
                    throw FormatError(description: "sample before its TYPE: \(line)")
                }
                let key = sample.name + sample.labels.sorted { $0.key < $1.key }.map { "|\($0.key)=\($0.value)" }.joined()
                guard seen.insert(key).inserted else { throw FormatError(description: "series twice: \(line)") }
                samples.append(sample)
            }
        }
    }

    /// The value of the one series with this name and exactly these labels.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// Every series of one name.
    func series(_ name: String) -> [Sample] { samples.filter { $0.name == name } }

    /// A histogram's samples are NAME_bucket, NAME_sum and NAME_count of family NAME.
    static func family(of name: String) -> String {
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            return String(name.dropLast(suffix.count))
        }
        return name
    }

    static func isMetricName<S: StringProtocol>(_ name: S) -> Bool {
        guard let first = name.first, first.isLetter || first == "_" || first == ":" else { return false }
        return name.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "_" || $0 == ":" }
    }

    static func sample(_ line: Substring) throws -> Sample {
        let name = line.prefix { $0 != "{" && $0 != " " }
        guard isMetricName(name) else { throw FormatError(description: "bad metric name: \(line)") }
        var rest = line.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let labelName = rest.prefix { $0 != "=" }
                guard isMetricName(labelName), !labelName.contains(":") else { throw FormatError(description: "bad label name: \(line)") }
                rest = rest.dropFirst(labelName.count)
                guard rest.hasPrefix("=\"") else { throw FormatError(description: "label without a quoted value: \(line)") }
                rest = rest.dropFirst(2)
                var value = ""
                while true {
                    guard let c = rest.first else { throw FormatError(description: "unterminated label value: \(line)") }
                    rest = rest.dropFirst()
                    if c == "\"" { break }
                    if c == "\\" {
                        guard let escaped = rest.first else { throw FormatError(description: "dangling escape: \(line)") }
                        rest = rest.dropFirst()
                        switch escaped {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw FormatError(description: "bad escape \\\(escaped): \(line)")
                        }
                    } else {
                        value.append(c)
                    }
                }
                guard labels.updateValue(value, forKey: String(labelName)) == nil else {
                    throw FormatError(description: "label twice: \(line)")
                }
                if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" {
                    throw FormatError(description: "expected , or }: \(line)")
                }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw FormatError(description: "no space before the value: \(line)") }
        let fields = rest.dropFirst().split(separator: " ")
        guard fields.count == 1 || fields.count == 2, let value = Double(fields[0]) ?? Self.special(fields[0]) else {
            throw FormatError(description: "bad value: \(line)")
        }
        return Sample(name: String(name), labels: labels, value: value)
    }

    static func special(_ text: Substring) -> Double? {
        switch text {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: nil
        }
    }
}
