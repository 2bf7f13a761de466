// docs/METRICS.md is the metrics' contract: every family the endpoint exports is in its table
// with its type, every family in the table is exported, and every label a scrape carries is
// named in its family's row.

import ExoWire
import Foundation
import Testing

@testable import ExoDaemon

@Suite("Metrics endpoint: docs/METRICS.md")
struct MetricsDocumentationTests {
    /// One row of the table: the families it names, their type, the labels cell.
    struct Row {
        var names: [String]
        var type: String
        var labels: String
    }

    static func rows() throws -> [Row] {
        let url = ConfigFixtures.repositoryRoot.appendingPathComponent("docs/METRICS.md")
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.split(separator: "\n").filter { $0.hasPrefix("| `exokernel_") }.map { line in
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            let names = cells[1].split(separator: "`").filter { $0.hasPrefix("exokernel_") }.map(String.init)
            return Row(names: names, type: cells[2], labels: cells[3])
        }
    }

    static let exported = MetricFamily.all + [MetricFamily.httpRequests, MetricFamily.scrapeDuration]

    @Test func everyExportedFamilyIsDocumentedWithItsTypeAndNoOtherIs() throws {
        let rows = try Self.rows()
        var documented: [String: String] = [:]
        for row in rows {
            for name in row.names {
                #expect(documented.updateValue(row.type, forKey: name) == nil, "\(name) documented twice")
            }
        }
        for family in Self.exported {
            let row = documented[family.name] ?? "nothing"
            #expect(documented[family.name] == family.typeName, "\(family.name): documented as \(row)")
        }
        #expect(Set(documented.keys) == Set(Self.exported.map(\.name)))
    }

    @Test func everyLabelAScrapeCarriesIsNamedInItsFamilysRow() throws {
        let rows = try Self.rows()
        let nic = NicInfo(
            backend: "tap", name: "exo0", ifindex: 3, isUp: true, isRunning: true, mtu: 1500, mac: .zero,
            hostAddress: 0, prefixLength: 24, rxPackets: 1, txPackets: 1, rxBytes: 1, txBytes: 1, drops: 1,
            linkDownEvents: 0, dropReasons: [DropCount(reason: "rx.noBinding", count: 1)])
        let text = try MetricsExpositionTests.render(
            MetricsExposition(), MetricsExpositionTests.snapshot([MetricsExpositionTests.tenant("alice")], nic: nic))
        #expect(!text.samples.isEmpty)
        for sample in text.samples {
            let family = PrometheusText.family(of: sample.name)
            let row = try #require(rows.first { $0.names.contains(family) }, "\(family) is not documented")
            for label in sample.labels.keys where label != "le" {
                #expect(row.labels.contains("`\(label)`"), "\(family)'s label \(label) is not documented")
            }
        }
    }
}
