// `exobench tcp-rr`: 1-byte request/response transactions per second on one TCP connection,
// and connections per second (connect, one transaction, close), ExOS client vs kernel client,
// both against the same Linux server in the peer namespace over the same veth pair.

import ArgumentParser
import ExoPlatform
import Foundation

struct TCPRRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tcp-rr",
        abstract: "TCP transactions/s and connections/s: ExOS tenant client vs kernel client (root).",
        discussion: """
            The server is always Linux: a Python socket loop (tcp-peer.py, TCP_NODELAY) in the \
            peer namespace that answers each byte with one byte; after a connection's one \
            transaction it closes first, so TIME_WAIT stays on the server. Clients: kernel — the \
            same Python tool from the veth's root end; exokernel — `exobench tcp-tenant` (ExOS, \
            TCP_NODELAY) as the tenant of an exokerneld started for the phase on the veth's root \
            end (AF_PACKET). Measures: rr — transactions per second on one connection; cps — \
            connections per second. Both the Python and the ExOS client are single-threaded.
            """)

    @Option(name: .long, help: "Seconds per measure, path and round.")
    var seconds = 5.0

    @Option(name: .long, help: "Rounds (each runs every path once per measure).")
    var rounds = 1

    @Option(name: .long, parsing: .upToNextOption, help: "rr (transactions/s), cps (connections/s).")
    var measures: [String] = ["rr", "cps"]

    @OptionGroup var common: TCPBenchOptions

    @Flag(name: .long, help: "Short run for tests: 0.5 s per measure, one round.")
    var smoke = false

    static let allPaths = ["kernel", "exokernel"]

    func validate() throws {
        guard seconds > 0, rounds > 0 else { throw ValidationError("--seconds and --rounds must be positive") }
        guard !measures.isEmpty, measures.allSatisfy(["rr", "cps"].contains) else { throw ValidationError("--measures: rr, cps") }
        try common.validate(known: Self.allPaths)
    }

    func run() throws {
        installInterruptHandlers()
        let paths = common.paths.isEmpty ? Self.allPaths : common.paths
        let duration = smoke ? 0.5 : seconds
        let loadBefore = LoadAverage.read()
        let runner = try TCPBenchRunner(
            name: "tcp-rr", binDir: common.directory, tenantUID: common.tenantUid, tenant: common.tenant, perfOutput: nil)
        defer { runner.teardown() }
        var samples: [String: [String: Samples]] = [:]
        do {
            try runner.setUp(paths: paths)
            samples = try runner.collect(rounds: smoke ? 1 : rounds, kinds: measures, paths: paths) { measure, path in
                let run = try runner.run(path, serverMode: "rr-server", clientMode: measure, seconds: duration)
                let key = measure == "rr" ? "transactions" : "connections"
                let elapsed = run.client.value("seconds")
                guard run.client.value(key) > 0, elapsed > 0 else { throw BenchError("\(path) \(measure): no \(key)") }
                return (run.client.value(key) / elapsed, measure == "rr" ? "trans/s" : "conn/s")
            }
        } catch {
            Console.error("exobench tcp-rr: \(error)")
            runner.teardown()
            throw ExitCode(1)
        }
        let loadAfter = LoadAverage.read()
        var object: [String: Any] = [
            "pid": runner.network.pid, "seconds": duration, "loadAverageBefore": loadBefore, "loadAverageAfter": loadAfter,
            "exosSide": "client",
            "tenant": [
                "frames": common.frames, "ringCapacity": common.ringCapacity, "busyPoll": common.busyPoll,
                "spinMicroseconds": common.spinMicroseconds,
            ],
        ]
        var lines = [
            "tcp-rr: \(duration) s per measure; ExOS client (busy-poll \(common.busyPoll), "
                + "spin \(common.spinMicroseconds) µs), Linux server; "
                + "load average before \(loadBefore), after \(loadAfter)",
            "MEASURE  PATH        MEDIAN/s    MIN         MAX",
        ]
        var byMeasure: [String: Any] = [:]
        for measure in measures {
            var pathObjects: [String: Any] = [:]
            for path in paths {
                guard let s = samples[measure]?[path] else { continue }
                pathObjects[path] = s.json
                lines.append(
                    measure.padding(toLength: 9, withPad: " ", startingAt: 0) + path.padding(toLength: 12, withPad: " ", startingAt: 0)
                        + String(format: "%-11.0f %-11.0f %-11.0f", s.median, s.minimum, s.maximum))
            }
            var entry: [String: Any] = ["paths": pathObjects]
            let kernel = samples[measure]?["kernel"]?.median ?? 0
            if let exos = samples[measure]?["exokernel"]?.median, kernel > 0 {
                entry["exokernelOverKernel"] = exos / kernel
                lines.append("\(measure) exokernelOverKernel: \(String(format: "%.3f", exos / kernel))")
            }
            byMeasure[measure] = entry
        }
        object["measures"] = byMeasure
        if common.json {
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
            Console.out(String(decoding: data, as: UTF8.self))
        } else {
            Console.out(lines.joined(separator: "\n"))
        }
    }
}
