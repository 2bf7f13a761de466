// `exobench http`: wrk against ExOS's httpd and against nginx on the kernel's TCP, serving
// the same directory over the same veth pair, wrk in the peer namespace: requests/s and
// latency percentiles per file, and ExOS's ratios to the kernel's.

import ArgumentParser
import ExoPlatform
import Foundation

struct HTTPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http",
        abstract: "HTTP requests/s and latency under wrk: ExOS httpd vs nginx on the kernel (root).",
        discussion: """
            One veth pair; wrk (Debian's) runs in the peer namespace. kernel: nginx (Debian's \
            nginx-light, private configuration, worker_processes auto, sendfile) on the veth's \
            root end. exokernel: clients/httpd as the tenant of an exokerneld started for the \
            phase on the same root end (AF_PACKET). Both serve one directory: small.bin (1 KiB) \
            and big.bin (1 MiB) of random bytes; each file gets a wrk run of --seconds with \
            --threads and --connections (keep-alive). Paths alternate within a round.
            """)

    @Option(name: .long, help: "Seconds per wrk run.")
    var seconds = 10

    @Option(name: .long, help: "wrk threads (-t).")
    var threads = 2

    @Option(name: .long, help: "wrk connections (-c).")
    var connections = 50

    @Option(name: .long, help: "Rounds (each runs every path once per file).")
    var rounds = 1

    @Option(name: .long, parsing: .upToNextOption, help: "Paths to run: kernel, exokernel.")
    var paths: [String] = []

    @Option(name: .long, help: "Directory holding exokerneld and httpd (default: this executable's).")
    var binDir: String?

    @Option(name: .long, help: "uid httpd runs as (the tenant's uid; not root).")
    var tenantUid: UInt32 = 60_201

    @Option(name: .long, help: "httpd's --frames, and the tenant's quota (2...253).")
    var frames = 252

    @Flag(name: .long, help: "Print one JSON object instead of a table.")
    var json = false

    @Flag(name: .long, help: "Short run for tests (and debug builds): 3 s per file, 4 connections, one round.")
    var smoke = false

    static let allPaths = ["kernel", "exokernel"]

    func validate() throws {
        guard seconds > 0, rounds > 0, threads > 0, connections >= threads else {
            throw ValidationError("--seconds, --rounds, --threads must be positive and --connections at least --threads")
        }
        guard (2...253).contains(frames) else { throw ValidationError("--frames must be in 2...253") }
        guard paths.allSatisfy(Self.allPaths.contains) else { throw ValidationError("--paths takes kernel, exokernel") }
        guard geteuid() == 0 else { throw ValidationError("needs root (namespaces, veth)") }
    }

    func run() throws {
        installInterruptHandlers()
        let paths = paths.isEmpty ? Self.allPaths : paths
        let load = smoke
            ? WrkLoad(threads: 2, connections: 4, seconds: 3)
            : WrkLoad(threads: threads, connections: connections, seconds: seconds)
        let loadBefore = LoadAverage.read()
        let runner = try HTTPBenchRunner(binDir: binDir ?? UDPRateCommand.ownDirectory, tenantUID: tenantUid, frames: frames)
        defer { runner.teardown() }
        var results: [String: [String: [WrkResult]]] = [:]  // file -> path -> one per round
        do {
            try runner.setUp()
            for _ in 0..<(smoke ? 1 : rounds) {
                for path in paths {
                    for (file, result) in try runner.run(path, load: load) { results[file, default: [:]][path, default: []].append(result) }
                }
            }
        } catch {
            Console.error("exobench http: \(error)")
            runner.teardown()
            throw ExitCode(1)
        }
        let report = HTTPReport(results: results, paths: paths, load: load, loadBefore: loadBefore, loadAfter: LoadAverage.read())
        if json {
            var object = report.json
            object["pid"] = runner.network.pid
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
            Console.out(String(decoding: data, as: UTF8.self))
        } else {
            Console.out(report.table)
        }
    }
}
