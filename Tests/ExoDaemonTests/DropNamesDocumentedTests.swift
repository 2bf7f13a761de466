// The drop-reason names `exoctl stats` and `exoctl nic` print are a contract (docs/EXOCTL.md):
// every name the daemon can report is documented there, and the docs name no other.

import Foundation
import Testing

@testable import ExoDaemon

@Suite("Drop-reason names are documented")
struct DropNamesDocumentedTests {
    static let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/EXOCTL.md")

    /// Every `name` in backticks in the document's table of `section`.
    static func documentedNames(in section: String) throws -> Set<String> {
        let text = try String(contentsOf: document, encoding: .utf8)
        guard let start = text.range(of: "<!-- \(section) -->"), let end = text.range(of: "<!-- end \(section) -->") else {
            return []
        }
        var names = Set<String>()
        for line in text[start.upperBound..<end.lowerBound].split(separator: "\n") where line.hasPrefix("| `") {
            let cell = line.dropFirst(3)
            if let close = cell.firstIndex(of: "`") { names.insert(String(cell[..<close])) }
        }
        return names
    }

    @Test func everyTenantDropReasonIsDocumentedAndNoOther() throws {
        let documented = try Self.documentedNames(in: "tenant drop reasons")
        let reported = Set(TenantCounters.names)
        #expect(reported.subtracting(documented).sorted() == [], "undocumented")
        #expect(documented.subtracting(reported).sorted() == [], "documented but never reported")
    }

    @Test func everyNicDropReasonIsDocumentedAndNoOther() throws {
        let documented = try Self.documentedNames(in: "nic drop reasons")
        let reported = Set(NicPort.dropReasonNames)
        #expect(reported.subtracting(documented).sorted() == [], "undocumented")
        #expect(documented.subtracting(reported).sorted() == [], "documented but never reported")
    }

    @Test func everyImpairmentCounterIsDocumentedAndNoOther() throws {
        let documented = try Self.documentedNames(in: "tenant impairment counters")
        let reported = Set(ImpairmentTallies.names)
        #expect(reported.subtracting(documented).sorted() == [], "undocumented")
        #expect(documented.subtracting(reported).sorted() == [], "documented but never reported")
    }
}
