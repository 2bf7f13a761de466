// What `exobench udp-rate` prints: per path the median offered and delivered rates over
// rounds, their spread, loss, the ratio to the kernel socket, and whether the sender limited it.

import ExoPlatform
import Foundation
import Glibc

struct UDPRateReport {
    var paths: [String]
    var runs: [String: [PathRun]]
    var seconds: Double
    var sender: String
    var backend: String
    var direction = "rx"
    var loadBefore = ""
    var loadAfter = ""
    /// `--scrape-every`, 0 when nothing scraped the daemon.
    var scrapeEveryMilliseconds = 0

    struct Summary {
        var offered: Samples
        var delivered: Samples
        var loss: Samples
        var received: Int
        var senderLimited: Bool
    }

    func summary(_ path: String) -> Summary {
        let list = runs[path] ?? []
        return Summary(
            offered: Samples(name: path, unit: "packets/s", values: list.map(\.offeredRate)),
            delivered: Samples(name: path, unit: "packets/s", values: list.map(\.deliveredRate)),
            loss: Samples(name: path, unit: "fraction", values: list.map(\.loss)),
            received: list.map(\.received).reduce(0, +),
            // Marked when the median run is: its ratio to the kernel is then a lower bound.
            senderLimited: list.filter(\.senderLimited).count * 2 > list.count)
    }

    /// Median delivered rate of `path` over the kernel socket's (nil without a kernel run).
    func ratioToKernel(_ path: String) -> Double? {
        guard paths.contains("kernel") else { return nil }
        let kernel = summary("kernel").delivered.median
        return kernel > 0 ? summary(path).delivered.median / kernel : nil
    }

    var rounds: Int { runs.values.map(\.count).max() ?? 0 }

    var table: String {
        var lines = ["64-byte frames (18-byte UDP payload), direction \(direction), \(sender) sender, \(seconds) s per path, "
            + "\(rounds) round(s), exokernel backend \(backend); load average before \(loadBefore), after \(loadAfter)"]
        lines.append(pad("PATH", 11) + pad("OFFERED/s", 13, right: true) + pad("DELIVERED/s", 13, right: true)
            + pad("MIN-MAX DELIVERED", 24, right: true) + pad("LOSS", 8, right: true) + pad("x KERNEL", 10, right: true)
            + "  NOTE")
        for path in paths {
            let s = summary(path)
            let ratio = ratioToKernel(path).map { String(format: "%.2f", $0) } ?? "-"
            lines.append(pad(path, 11) + pad(format(s.offered.median), 13, right: true)
                + pad(format(s.delivered.median), 13, right: true)
                + pad("\(format(s.delivered.minimum))-\(format(s.delivered.maximum))", 24, right: true)
                + pad(String(format: "%.1f%%", s.loss.median * 100), 8, right: true) + pad(ratio, 10, right: true)
                + note(path, s))
        }
        for path in paths where !lossByPlace(path).isEmpty {
            let places = lossByPlace(path).map { "\($0.place) " + String(format: "%.1f%%", $0.samples.median * 100) }
            lines.append("\(path) loss by place (daemon counters, median % of sent): " + places.joined(separator: ", "))
        }
        for path in paths {
            let tallies = (runs[path] ?? []).compactMap(\.scrapes)
            guard !tallies.isEmpty else { continue }
            lines.append("\(path) scrapes (GET /metrics every \(scrapeEveryMilliseconds) ms while sending), per round: "
                + tallies.map {
                    "\($0.done) done, \($0.failed) failed, "
                        + String(format: "%.1f ms mean, %.1f ms longest", $0.meanMilliseconds, $0.longestMilliseconds)
                }.joined(separator: "; ")
                + "; last answer \(tallies.last!.answerBytes) bytes")
        }
        return lines.joined(separator: "\n")
    }

    var json: String {
        var measures: [String: Any] = [:]
        for path in paths {
            let s = summary(path)
            var entry: [String: Any] = [
                "offered": s.offered.json, "delivered": s.delivered.json, "loss": s.loss.json,
                "packetsReceived": s.received, "senderLimited": s.senderLimited,
                "runs": (runs[path] ?? []).map { run -> [String: Any] in
                    var entry: [String: Any] = ["sent": run.sent, "received": run.received, "sendSeconds": run.sendSeconds]
                    if let counters = run.counters { entry["daemonCounters"] = counters.json }
                    if let scrapes = run.scrapes {
                        entry["scrapes"] = [
                            "done": scrapes.done, "failed": scrapes.failed, "answerBytes": scrapes.answerBytes,
                            "meanMilliseconds": scrapes.meanMilliseconds, "longestMilliseconds": scrapes.longestMilliseconds,
                        ]
                    }
                    return entry
                },
            ]
            let places = lossByPlace(path)
            if !places.isEmpty {
                entry["lossByPlace"] = Dictionary(uniqueKeysWithValues: places.map { ($0.place, $0.samples.json) })
            }
            if let ratio = ratioToKernel(path) { entry["ratioToKernel"] = ratio }
            let tallies = (runs[path] ?? []).compactMap(\.scrapes)
            if !tallies.isEmpty {
                entry["scrapesDone"] = tallies.map(\.done).reduce(0, +)
                entry["scrapesFailed"] = tallies.map(\.failed).reduce(0, +)
            }
            measures[path] = entry
        }
        let object: [String: Any] = [
            "frameBytes": 64, "udpPayload": BenchPackets.udpPayload, "sender": sender, "backend": backend,
            "secondsPerPath": seconds, "rounds": rounds, "pid": Int(getpid()), "paths": measures,
            "aimExokernelOverKernel": direction == "tx" ? 1.0 : 1.5, "direction": direction, "loadAverageBefore": loadBefore,
            "loadAverageAfter": loadAfter, "scrapeEveryMilliseconds": scrapeEveryMilliseconds,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// The first failed scrape of the run, with how many failed, or nil when none did.
    var scrapeFailure: String? {
        let tallies = runs.values.joined().compactMap(\.scrapes)
        let failed = tallies.map(\.failed).reduce(0, +)
        guard failed > 0 else { return nil }
        return "\(failed) scrape(s) of GET /metrics failed; the first: \(tallies.compactMap(\.firstError).first ?? "?")"
    }

    /// Per place a frame can be lost (`DaemonCounters.lossFractions`), the fractions of sent
    /// frames over rounds; empty for paths without daemon counters.
    func lossByPlace(_ path: String) -> [(place: String, samples: Samples)] {
        let list = (runs[path] ?? []).compactMap { run in run.counters.map { $0.lossFractions(sent: run.sent, received: run.received) } }
        guard let first = list.first else { return [] }
        return first.indices.map { index in
            (first[index].place, Samples(name: first[index].place, unit: "fraction", values: list.map { $0[index].fraction }))
        }
    }

    /// A sender-limited path may deliver more than measured: its own ratio is a lower bound,
    /// and when it is the kernel's, every other path's ratio is an upper bound.
    private func note(_ path: String, _ s: Summary) -> String {
        guard s.senderLimited else { return "" }
        return path == "kernel" ? "  sender-limited (the kernel may deliver more: ratios to it are upper bounds)"
            : "  sender-limited (ratio is a lower bound)"
    }

    private func format(_ value: Double) -> String { String(format: "%.0f", value) }
    private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}
