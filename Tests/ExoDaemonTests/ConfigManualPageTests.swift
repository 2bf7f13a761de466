// exokerneld.toml(5) (docs/man/exokerneld.toml.5, written by hand) is the operator's reference
// for the configuration file: it has a section for every table the loader reads and an entry
// for every key the loader accepts, and it documents no key the loader would refuse.

import Foundation
import Testing

@testable import ExoDaemon

@Suite("exokerneld.toml(5) documents the loader's keys")
struct ConfigManualPageTests {
    static let page = ConfigFixtures.repositoryRoot.appendingPathComponent("docs/man/exokerneld.toml.5")

    /// The keys the page documents, by section title (`.SH "[daemon]"` gives "[daemon]"): the bare
    /// words of the line after each `.TP`, as in `.BR max_connections " (integer)"` or
    /// `.BR delay_us ", " jitter_us`.
    static func documentedKeys() throws -> [String: Set<String>] {
        var keys: [String: Set<String>] = [:]
        var section = ""
        var afterTP = false
        for line in try String(contentsOf: page, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(".SH ") {
                section = line.dropFirst(4).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                keys[section, default: []] = []
                afterTP = false
            } else if line == ".TP" {
                afterTP = true
            } else if afterTP {
                afterTP = false
                keys[section, default: []].formUnion(bareWords(of: line))
            }
        }
        return keys
    }

    /// The unquoted arguments of a roff macro line that look like TOML keys.
    static func bareWords(of line: Substring) -> [String] {
        guard line.hasPrefix(".B") else { return [] }
        var words: [String] = []
        var quoted = false
        var word = ""
        for character in line.drop(while: { $0 != " " }) {
            if character == "\"" {
                quoted.toggle()
            } else if character == " " && !quoted {
                if !word.isEmpty { words.append(word) }
                word = ""
            } else if !quoted {
                word.append(character)
            }
        }
        if !word.isEmpty { words.append(word) }
        return words.filter { $0.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" } }
    }

    /// The loader's keys of each table, under the page's section titles.
    static let loaderKeys: [String: Set<String>] = [
        "[daemon]": Set(ConfigLoader.daemonKeys),
        "[frames]": Set(ConfigLoader.framesKeys),
        "[limits]": Set(LimitsSection.keys),
        "[[tenant]]": Set(ConfigLoader.tenantKeys),
        "[nic]": Set(ConfigLoader.nicKeys),
        "[metrics]": Set(MetricsSection.keys),
        // The direction tables' keys are listed in the same section.
        "[impairment]": Set(ConfigLoader.impairmentKeys + ConfigLoader.tenantImpairmentKeys
            + ConfigLoader.impairmentProfileKeys),
    ]

    @Test func everyTopLevelTableHasItsSection() throws {
        let sections = Set(try Self.documentedKeys().keys)
        for table in ConfigLoader.documentKeys {
            #expect(sections.contains("[\(table)]") || sections.contains("[[\(table)]]"), "no section for \(table)")
        }
        #expect(Set(Self.loaderKeys.keys).isSubset(of: sections))
    }

    @Test func everyKeyTheLoaderAcceptsIsDocumentedAndNoOther() throws {
        let documented = try Self.documentedKeys()
        for (section, accepted) in Self.loaderKeys {
            let listed = documented[section] ?? []
            #expect(accepted.subtracting(listed).sorted() == [], "\(section): accepted but not documented")
            #expect(listed.subtracting(accepted).sorted() == [], "\(section): documented but refused by the loader")
        }
    }

    @Test func theManualPagesExampleIsAValidConfiguration() throws {
        let text = try String(contentsOf: Self.page, encoding: .utf8)
        let example = try #require(text.range(of: ".SH EXAMPLES"))
        let body = text[example.upperBound...]
        let start = try #require(body.range(of: ".nf\n"))
        let end = try #require(body.range(of: "\n.fi"))
        let toml = body[start.upperBound..<end.lowerBound].replacingOccurrences(of: "\\-", with: "-")
        let config = try ConfigLoader.parse(toml, file: "exokerneld.toml(5)")
        let (errors, _) = ConfigValidator.check(config, file: "exokerneld.toml(5)", limits: ConfigFixtures.documentedLimits)
        #expect(errors.isEmpty, "\(errors)")
        #expect(config.tenants.map(\.name) == ["alice", "bob"])
    }
}
