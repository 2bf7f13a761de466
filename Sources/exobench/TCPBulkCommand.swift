// `exobench tcp-bulk`: one TCP connection moving bytes for N seconds, each direction, three
// ways on one machine — kernel ↔ kernel over the veth pair, the ExOS tenant of a private
// exokerneld ↔ the kernel over the same veth, and kernel ↔ kernel relayed by vde_switch.

import ArgumentParser
import ExoPlatform
import Foundation

struct TCPBulkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tcp-bulk",
        abstract: "TCP throughput, each direction: ExOS tenant vs kernel vs vde_switch, side by side (root).",
        discussion: """
            Creates its own namespaces, veth pair and vde_switch (names carry this pid) and removes \
            them on exit, failure or SIGINT. The Linux end is always a Python socket loop \
            (tcp-peer.py) in the peer namespace, listening on .2. Paths: kernel — the same tool \
            as client from the veth's root end; exokernel — `exobench tcp-tenant` (ExOS) as the \
            tenant of an exokerneld started for the phase on the veth's root end (AF_PACKET); \
            vde — the same tool in two namespaces, each on a TAP of one vde_switch.

            Directions: tx — the client sends (ExOS → Linux on the exokernel path); rx — the \
            Linux server sends to the client. Throughput is measured at the receiver, from its \
            first byte to the end of stream. Ratios: exokernel over kernel (aim ≥ 0.5) and over \
            vde (aim ≥ 4). After each exokernel transfer, the ExOS client's CPU seconds per GB \
            go to stderr. `--perf FILE` records the ExOS client with `perf record --call-graph \
            dwarf`.
            """)

    @Option(name: .long, help: "Seconds each transfer sends.")
    var seconds = 10.0

    @Option(name: .long, help: "Rounds (each runs every path once, per direction).")
    var rounds = 1

    @Option(name: .long, parsing: .upToNextOption, help: "tx (client sends), rx (client receives).")
    var directions: [String] = ["tx", "rx"]

    @Option(name: .long, help: "perf record the ExOS client into this file (exokernel path, last run).")
    var perf: String?

    @OptionGroup var common: TCPBenchOptions

    @Flag(name: .long, help: "Short run for tests: 0.5 s per transfer, one round.")
    var smoke = false

    static let allPaths = ["kernel", "exokernel", "vde"]

    func validate() throws {
        guard seconds > 0, rounds > 0 else { throw ValidationError("--seconds and --rounds must be positive") }
        guard !directions.isEmpty, directions.allSatisfy(["tx", "rx"].contains) else { throw ValidationError("--directions: tx, rx") }
        try common.validate(known: Self.allPaths)
    }

    func run() throws {
        installInterruptHandlers()
        let paths = common.paths.isEmpty ? Self.allPaths : common.paths
        let duration = smoke ? 0.5 : seconds
        let loadBefore = LoadAverage.read()
        let runner = try TCPBenchRunner(
            name: "tcp-bulk", binDir: common.directory, tenantUID: common.tenantUid, tenant: common.tenant, perfOutput: perf)
        defer { runner.teardown() }
        var samples: [String: [String: Samples]] = [:]
        do {
            try runner.setUp(paths: paths)
            samples = try runner.collect(rounds: smoke ? 1 : rounds, kinds: directions, paths: paths) { direction, path in
                (try transfer(runner, path: path, direction: direction, seconds: duration), "Gbit/s")
            }
        } catch {
            Console.error("exobench tcp-bulk: \(error)")
            runner.teardown()
            throw ExitCode(1)
        }
        let report = TCPBulkReport(
            paths: paths, directions: directions, samples: samples, seconds: duration, tenant: common.tenant,
            loadBefore: loadBefore, loadAfter: LoadAverage.read(), pid: runner.network.pid)
        Console.out(common.json ? report.json : report.table)
    }

    /// One transfer; Gbit/s at the receiving end.
    private func transfer(_ runner: TCPBenchRunner, path: String, direction: String, seconds: Double) throws -> Double {
        let tx = direction == "tx"
        let run = try runner.run(path, serverMode: tx ? "sink" : "source", clientMode: tx ? "source" : "sink", seconds: seconds)
        let receiver = tx ? run.server : run.client
        let elapsed = receiver.value("seconds")
        guard receiver.value("bytes") > 0, elapsed > 0 else { throw BenchError("\(path) \(direction): nothing received") }
        if path == "exokernel", run.client.value("cpu") > 0 {
            // What ExOS spent per byte: a cost the machine's load changes little, where the
            // throughput beside it swings with whatever else runs.
            let cpu = run.client.value("cpu")
            let gigabytes = run.client.value("bytes") / 1e9
            Console.error(
                "tcp-bulk: exokernel \(direction): ExOS client CPU \(String(format: "%.2f", cpu)) s for "
                    + "\(String(format: "%.2f", gigabytes)) GB: \(String(format: "%.2f", cpu / gigabytes)) CPU-s/GB")
        }
        return receiver.value("bytes") * 8 / elapsed / 1e9
    }
}

/// tcp-bulk's table and JSON: Gbit/s per direction and path, and the ratios against the aims.
struct TCPBulkReport {
    let paths: [String]
    let directions: [String]
    let samples: [String: [String: Samples]]
    let seconds: Double
    let tenant: TCPTenantOptions
    let loadBefore: String
    let loadAfter: String
    let pid: Int

    static let kernelAim = 0.5
    static let vdeAim = 4.0

    func median(_ direction: String, _ path: String) -> Double { samples[direction]?[path]?.median ?? 0 }

    func ratios(_ direction: String) -> [String: Double] {
        let exos = median(direction, "exokernel")
        var result: [String: Double] = [:]
        if paths.contains("exokernel") {
            if paths.contains("kernel"), median(direction, "kernel") > 0 { result["exokernelOverKernel"] = exos / median(direction, "kernel") }
            if paths.contains("vde"), median(direction, "vde") > 0 { result["exokernelOverVde"] = exos / median(direction, "vde") }
        }
        return result
    }

    var json: String {
        var object: [String: Any] = [
            "pid": pid, "seconds": seconds, "loadAverageBefore": loadBefore, "loadAverageAfter": loadAfter,
            "aims": ["exokernelOverKernel": Self.kernelAim, "exokernelOverVde": Self.vdeAim],
            "tenant": [
                "frames": tenant.frames, "ringCapacity": tenant.ringCapacity, "busyPoll": tenant.busyPoll,
                "buffer": tenant.buffer, "spinMicroseconds": tenant.spinMicroseconds,
            ],
        ]
        var byDirection: [String: Any] = [:]
        for direction in directions {
            var pathObjects: [String: Any] = [:]
            for path in paths { pathObjects[path] = samples[direction]?[path]?.json ?? [:] }
            byDirection[direction] = ["paths": pathObjects, "ratios": ratios(direction)]
        }
        object["directions"] = byDirection
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    var table: String {
        var lines = [
            "tcp-bulk: \(seconds) s per transfer; ExOS frames \(tenant.frames), ring \(tenant.ringCapacity), "
                + "busy-poll \(tenant.busyPoll), spin \(tenant.spinMicroseconds) µs, buffer \(tenant.buffer) B; "
                + "load average before \(loadBefore), after \(loadAfter)",
            "DIRECTION  PATH        MEDIAN Gbit/s   MIN       MAX",
        ]
        for direction in directions {
            for path in paths {
                guard let s = samples[direction]?[path] else { continue }
                lines.append(
                    direction.padding(toLength: 11, withPad: " ", startingAt: 0) + path.padding(toLength: 12, withPad: " ", startingAt: 0)
                        + String(format: "%13.3f   %-9.3f %-9.3f", s.median, s.minimum, s.maximum))
            }
            for (name, value) in ratios(direction).sorted(by: { $0.key < $1.key }) {
                let aim = name == "exokernelOverKernel" ? Self.kernelAim : Self.vdeAim
                lines.append("\(direction) \(name): \(String(format: "%.3f", value)) (aim ≥ \(aim))")
            }
        }
        return lines.joined(separator: "\n")
    }
}
