// `exobench vm`'s output: the paper's Table 10 shape (µs per operation, one row per benchmark)
// with the published Ultrix and Aegis numbers beside ours, ratios per row, or one JSON object.

import Foundation

struct VMReport {
    let results: VMResults
    let settings: VMSettings
    let tenant: String
    let frameSize: Int
    let pages: Int
    let loadBefore: String
    let loadAfter: String

    /// Table 10 of Engler, Kaashoek & O'Toole (SOSP'95), DEC5000/125 row, µs per operation
    /// (see docs/VM.md for which cells are confirmed). Ultrix cannot report dirty pages.
    static let ultrix: [VMBenchmark: Double] = [
        .prot1: 32.0, .prot100: 102.0, .unprot100: 102.0, .trap: 161.0, .appel1: 262.0, .appel2: 232.0,
    ]
    static let aegis: [VMBenchmark: Double] = [
        .dirty: 9.1, .prot1: 16.9, .prot100: 109.0, .unprot100: 143.0, .trap: 4.8, .appel1: 34.0, .appel2: 22.0,
    ]

    /// The library-OS way with the lowest median in `benchmark`'s row (the kernel's excluded).
    func best(_ benchmark: VMBenchmark) -> VMWayResult? {
        results.ways.filter { $0.key != "kernel" && $0.cells[benchmark] != nil }
            .min { $0.cells[benchmark]!.microseconds.median < $1.cells[benchmark]!.microseconds.median }
    }

    func ratio(_ benchmark: VMBenchmark, over key: String) -> Double? {
        guard let kernel = results.ways.first(where: { $0.key == "kernel" })?.cells[benchmark]?.microseconds.median,
            let other = results.ways.first(where: { $0.key == key })?.cells[benchmark]?.microseconds.median, other > 0
        else { return nil }
        return kernel / other
    }

    func table() -> String {
        var lines = [
            "exobench vm: \(pages) frames of \(frameSize) B held by tenant \(tenant), mapped side by side (one mapping per frame)",
            "\(settings.rounds) rounds x (\(settings.iterations) operations | \(settings.batches) 100-page calls) per cell; ways alternate, order rotating per round",
            "threads: measuring thread pinned to CPU \(settings.cpu) (ran on \(results.measuringCPU)); handler CPUs seen: "
                + (results.ways + results.supporting).compactMap { way in
                    let cpus = Set(way.cells.values.flatMap(\.handlerCPUs))
                    return cpus.isEmpty ? nil : "\(way.key) \(cpus.sorted().map(String.init).joined(separator: ","))"
                }.joined(separator: "; "),
            "load average before: \(loadBefore); after: \(loadAfter)",
            "null system call (getppid): \(Self.format(results.nullSyscall.median)) us",
            "",
            "us per operation (appel1, appel2: per page): median (p10-p90) over rounds; paper: DEC5000/125",
        ]
        let columns = results.ways
        var header = pad("BENCHMARK", 10) + pad("ULTRIX", 8, right: true) + pad("AEGIS", 8, right: true)
        for way in columns { header += pad(way.key.uppercased(), 22, right: true) }
        header += pad("KERN/UFFD", 11, right: true) + pad("KERN/BEST", 11, right: true) + pad("ULTRIX/AEGIS", 14, right: true)
        lines.append(header)
        for benchmark in VMBenchmark.allCases {
            var line = pad(benchmark.rawValue, 10) + pad(Self.ultrix[benchmark].map(Self.format) ?? "n/a", 8, right: true)
                + pad(Self.aegis[benchmark].map(Self.format) ?? "n/a", 8, right: true)
            for way in columns { line += pad(cell(way.cells[benchmark]), 22, right: true) }
            line += pad(ratio(benchmark, over: "exos-uffd").map { String(format: "%.2f", $0) } ?? "-", 11, right: true)
            let bestRatio = best(benchmark).flatMap { ratio(benchmark, over: $0.key) }
            line += pad(bestRatio.map { String(format: "%.2f", $0) } ?? "-", 11, right: true)
            let paper = Self.ultrix[benchmark].flatMap { u in Self.aegis[benchmark].map { u / $0 } }
            line += pad(paper.map { String(format: "%.2f", $0) } ?? "n/a", 14, right: true)
            lines.append(line)
        }
        lines.append("")
        lines.append("best library-OS way per row: " + VMBenchmark.allCases.map { "\($0.rawValue) \(best($0)?.key ?? "-")" }.joined(separator: ", "))
        lines.append("ratios: kernel median / library-OS median (above 1: the library OS is faster), as Ultrix / Aegis in the paper")
        lines.append("")
        lines.append("supporting columns (where the time goes):")
        var supportHeader = pad("BENCHMARK", 10)
        for way in results.supporting { supportHeader += pad(way.key.uppercased(), 22, right: true) }
        lines.append(supportHeader)
        for benchmark in VMBenchmark.allCases {
            var line = pad(benchmark.rawValue, 10)
            for way in results.supporting { line += pad(cell(way.cells[benchmark]), 22, right: true) }
            lines.append(line)
        }
        lines.append("")
        lines.append("ways:")
        for way in results.ways + results.supporting { lines.append("  \(way.key): \(way.summary)") }
        lines.append("operations:")
        for benchmark in VMBenchmark.allCases { lines.append("  \(benchmark.rawValue): \(benchmark.operation)") }
        return lines.joined(separator: "\n")
    }

    func json() -> String {
        func way(_ result: VMWayResult) -> [String: Any] {
            var rows: [String: Any] = [:]
            for (benchmark, cell) in result.cells {
                var row = cell.microseconds.json
                row["operations"] = cell.operations
                row["faults"] = cell.faults
                row["handlerCPUs"] = cell.handlerCPUs.sorted()
                rows[benchmark.rawValue] = row
            }
            return ["summary": result.summary, "rows": rows]
        }
        var ratios: [String: Any] = [:]
        for benchmark in VMBenchmark.allCases {
            var row: [String: Any] = [:]
            row["kernelOverExosUffd"] = ratio(benchmark, over: "exos-uffd") ?? NSNull()
            if let best = best(benchmark) {
                row["best"] = best.key
                row["kernelOverBest"] = ratio(benchmark, over: best.key) ?? NSNull()
            }
            if let u = Self.ultrix[benchmark], let a = Self.aegis[benchmark] { row["paperUltrixOverAegis"] = u / a }
            ratios[benchmark.rawValue] = row
        }
        let object: [String: Any] = [
            "pid": Int(getpid()), "tenant": tenant, "frameSize": frameSize, "pages": pages, "rounds": settings.rounds,
            "iterations": settings.iterations, "batches": settings.batches, "cpu": settings.cpu,
            "measuringCPU": results.measuringCPU, "otherCPU": settings.otherCPU ?? NSNull(),
            "loadAverageBefore": loadBefore, "loadAverageAfter": loadAfter,
            "nullSyscall": results.nullSyscall.json,
            "benchmarks": VMBenchmark.allCases.map(\.rawValue),
            "ways": Dictionary(uniqueKeysWithValues: results.ways.map { ($0.key, way($0)) }),
            "wayOrder": results.ways.map(\.key),
            "supporting": Dictionary(uniqueKeysWithValues: results.supporting.map { ($0.key, way($0)) }),
            "ratios": ratios,
            "paper": [
                "machine": "DEC5000/125",
                "ultrix": Dictionary(uniqueKeysWithValues: Self.ultrix.map { ($0.key.rawValue, $0.value) }),
                "aegis": Dictionary(uniqueKeysWithValues: Self.aegis.map { ($0.key.rawValue, $0.value) }),
            ],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    private func cell(_ cell: VMCell?) -> String {
        guard let samples = cell?.microseconds, !samples.values.isEmpty else { return "n/a" }
        return "\(Self.format(samples.median)) (\(Self.format(samples.percentile(0.1)))-\(Self.format(samples.percentile(0.9))))"
    }

    static func format(_ value: Double) -> String {
        value < 10 ? String(format: "%.2f", value) : value < 100 ? String(format: "%.1f", value) : String(format: "%.0f", value)
    }

    private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}
