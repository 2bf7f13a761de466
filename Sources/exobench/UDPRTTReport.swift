// What `exobench udp-rtt` prints: per path the medians over rounds of the round-trip
// percentiles and rate, their spread, and p50 as a multiple of the kernel path's.

import Foundation
import Glibc

struct UDPRTTReport {
    var paths: [RTTPath]
    var runs: [RTTPath: [RTTRun]]
    var count: Int
    var size: Int
    var loadBefore: String
    var loadAfter: String

    private func samples(_ path: RTTPath, _ unit: String, _ value: (RTTRun) -> Double) -> Samples {
        Samples(name: path.rawValue, unit: unit, values: (runs[path] ?? []).map(value))
    }

    func p50(_ path: RTTPath) -> Samples { samples(path, "µs", \.p50) }
    func p99(_ path: RTTPath) -> Samples { samples(path, "µs", \.p99) }
    func p999(_ path: RTTPath) -> Samples { samples(path, "µs", \.p999) }
    func rate(_ path: RTTPath) -> Samples { samples(path, "round trips/s", \.tripsPerSecond) }
    func lost(_ path: RTTPath) -> Int { (runs[path] ?? []).map { $0.sent - $0.received }.reduce(0, +) }

    /// Median p50 of `path` over the kernel path's (nil without a kernel run).
    func ratioToKernel(_ path: RTTPath) -> Double? {
        guard paths.contains(.kernel) else { return nil }
        let kernel = p50(.kernel).median
        return kernel > 0 ? p50(path).median / kernel : nil
    }

    /// The aims for the p50 ratio (nil: none).
    static func aim(_ path: RTTPath) -> Double? {
        switch path {
        case .exokernelBusy: 1.0
        case .exokernelSleep: 1.5
        default: nil
        }
    }

    var rounds: Int { runs.values.map(\.count).max() ?? 0 }

    var table: String {
        var lines = [
            "UDP echo round trips, \(size)-byte payload, \(count) per path and round, \(rounds) round(s); "
                + "load average before \(loadBefore), after \(loadAfter)",
            pad("PATH", 16) + pad("p50 µs", 9, right: true) + pad("p50 MIN-MAX", 15, right: true) + pad("p99 µs", 9, right: true)
                + pad("p99.9 µs", 10, right: true) + pad("TRIPS/s", 9, right: true) + pad("LOST", 6, right: true)
                + pad("p50 x KERNEL", 14, right: true) + "  AIM",
        ]
        for path in paths {
            let median = p50(path)
            let ratio = ratioToKernel(path).map { String(format: "%.2f", $0) } ?? "-"
            lines.append(
                pad(path.rawValue, 16) + pad(format(median.median), 9, right: true)
                    + pad("\(format(median.minimum))-\(format(median.maximum))", 15, right: true)
                    + pad(format(p99(path).median), 9, right: true) + pad(format(p999(path).median), 10, right: true)
                    + pad(String(format: "%.0f", rate(path).median), 9, right: true) + pad("\(lost(path))", 6, right: true)
                    + pad(ratio, 14, right: true) + (Self.aim(path).map { String(format: "  <= %.1f", $0) } ?? ""))
        }
        return lines.joined(separator: "\n")
    }

    var json: String {
        var measures: [String: Any] = [:]
        for path in paths {
            var entry: [String: Any] = [
                "p50": p50(path).json, "p99": p99(path).json, "p999": p999(path).json, "tripsPerSecond": rate(path).json,
                "lost": lost(path),
            ]
            if let ratio = ratioToKernel(path) { entry["p50RatioToKernel"] = ratio }
            if let aim = Self.aim(path) { entry["aim"] = aim }
            measures[path.rawValue] = entry
        }
        let object: [String: Any] = [
            "payloadBytes": size, "roundTripsPerPath": count, "rounds": rounds, "pid": Int(getpid()), "paths": measures,
            "loadAverageBefore": loadBefore, "loadAverageAfter": loadAfter,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    private func format(_ value: Double) -> String { String(format: value < 100 ? "%.1f" : "%.0f", value) }
    private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}
