// What `exobench http` prints: per file and path the medians over rounds of wrk's
// requests/s and latency percentiles, ExOS's ratios to the kernel's, as a table or JSON.

import Foundation

/// The medians over rounds per file and path, and ExOS's ratios to the kernel's.
struct HTTPReport {
    var results: [String: [String: [WrkResult]]]
    var paths: [String]
    var load: WrkLoad
    var loadBefore: String
    var loadAfter: String

    func samples(_ file: String, _ path: String, _ unit: String, _ value: (WrkResult) -> Double) -> Samples {
        Samples(name: path, unit: unit, values: (results[file]?[path] ?? []).map(value))
    }

    /// Requests/s and latencies (ms) of one file and path, as medians over the rounds.
    func medians(_ file: String, _ path: String) -> (rps: Double, p50: Double, p90: Double, p99: Double, mbps: Double, errors: Double) {
        (samples(file, path, "", \.requestsPerSecond).median, samples(file, path, "", \.p50Microseconds).median / 1000,
         samples(file, path, "", \.p90Microseconds).median / 1000, samples(file, path, "", \.p99Microseconds).median / 1000,
         samples(file, path, "", \.megabytesPerSecond).median,
         (results[file]?[path] ?? []).reduce(0) { $0 + $1.socketErrors + $1.statusErrors })
    }

    var json: [String: Any] {
        var files: [String: Any] = [:]
        for (file, _) in HTTPBenchRunner.files {
            var pathObjects: [String: Any] = [:]
            for path in paths where results[file]?[path] != nil {
                let rounds = results[file]?[path] ?? []
                pathObjects[path] = [
                    "requestsPerSecond": samples(file, path, "req/s", \.requestsPerSecond).json,
                    "p50LatencyMs": samples(file, path, "ms", { $0.p50Microseconds / 1000 }).json,
                    "p90LatencyMs": samples(file, path, "ms", { $0.p90Microseconds / 1000 }).json,
                    "p99LatencyMs": samples(file, path, "ms", { $0.p99Microseconds / 1000 }).json,
                    "megabytesPerSecond": samples(file, path, "MB/s", \.megabytesPerSecond).json,
                    "requests": rounds.map(\.requests), "socketErrors": rounds.map(\.socketErrors),
                    "statusErrors": rounds.map(\.statusErrors),
                ]
            }
            var entry: [String: Any] = ["paths": pathObjects]
            if let ratios = ratios(file) { entry["exokernelOverKernel"] = ["requestsPerSecond": ratios.rps, "p50Latency": ratios.p50, "p99Latency": ratios.p99] }
            files[file] = entry
        }
        return [
            "seconds": load.seconds, "threads": load.threads, "connections": load.connections, "loadAverageBefore": loadBefore,
            "loadAverageAfter": loadAfter, "files": files, "servers": ["kernel": "nginx", "exokernel": "httpd (ExOS)"],
        ]
    }

    /// ExOS over kernel: requests/s (higher is better for ExOS), p50 and p99 latency (lower is).
    func ratios(_ file: String) -> (rps: Double, p50: Double, p99: Double)? {
        guard results[file]?["kernel"] != nil, results[file]?["exokernel"] != nil else { return nil }
        let kernel = medians(file, "kernel"), exos = medians(file, "exokernel")
        guard kernel.rps > 0, kernel.p50 > 0, kernel.p99 > 0 else { return nil }
        return (exos.rps / kernel.rps, exos.p50 / kernel.p50, exos.p99 / kernel.p99)
    }

    var table: String {
        var lines = [
            "http: wrk -t\(load.threads) -c\(load.connections) -d\(load.seconds)s from the peer namespace; "
                + "load average before \(loadBefore), after \(loadAfter)",
            "FILE       PATH                  REQ/S      P50 ms   P90 ms   P99 ms   MB/s      ERRORS",
        ]
        for (file, _) in HTTPBenchRunner.files {
            for path in paths where results[file]?[path] != nil {
                let m = medians(file, path)
                let label = path + (path == "kernel" ? " (nginx)" : " (httpd)")
                lines.append(
                    file.padding(toLength: 11, withPad: " ", startingAt: 0) + label.padding(toLength: 22, withPad: " ", startingAt: 0)
                        + String(format: "%-10.0f %-8.2f %-8.2f %-8.2f %-9.1f %.0f", m.rps, m.p50, m.p90, m.p99, m.mbps, m.errors))
            }
            if let r = ratios(file) {
                lines.append("\(file) exokernel/kernel: requests/s \(String(format: "%.3f", r.rps)), "
                    + "p50 latency \(String(format: "%.2f", r.p50)), p99 latency \(String(format: "%.2f", r.p99))")
            }
        }
        return lines.joined(separator: "\n")
    }
}
