// `exobench udp-rtt`: UDP echo round trips from a Linux peer on one veth pair, side by side in
// one run: the kernel's sockets, udp-echo behind exokerneld (sleeping or busy-polling), vde_switch.

import ArgumentParser
import ExoPlatform
import Foundation
import Glibc

struct UDPRTTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "udp-rtt",
        abstract: "UDP echo round trips: kernel vs exokerneld+udp-echo (sleeping, busy-polling) vs vde_switch (root).",
        discussion: """
            Creates its own namespaces, veth pair and vde_switch (names carry this pid), and removes \
            them on exit, failure or SIGINT. The client is always `exobench udp-ping` in the peer \
            namespace on a blocking, connected UDP socket: one datagram in flight, --count round \
            trips after --warmup. Each round runs every path once, alternating, in the same order; \
            per path the medians over rounds of p50, p99, p99.9 and round trips per second, and p50 \
            as a multiple of the kernel's. Paths: kernel — `exobench udp-reflect` on the veth's root \
            end; exokernel-sleep — clients/udp-echo as tenant "sink" behind a private exokerneld on \
            the veth's root end (AF_PACKET), both sleeping on eventfds when idle; exokernel-busy — \
            the same with `nic.busy_poll = true` and `udp-echo --busy-poll`; vde — udp-reflect and \
            the client in two namespaces on two TAPs of one vde_switch.
            """)

    @Option(name: .long, help: "Measured round trips per path and round.")
    var count = 5_000

    @Option(name: .long, help: "Round trips before measuring, per path and round.")
    var warmup = 500

    @Option(name: .long, help: "UDP payload bytes.")
    var size = 64

    @Option(name: .long, help: "Rounds (each runs every path once).")
    var rounds = 3

    @Option(name: .long, parsing: .upToNextOption, help: "Paths: kernel, exokernel-sleep, exokernel-busy, vde.")
    var paths: [String] = RTTPath.allCases.map(\.rawValue)

    @Option(name: .long, help: "Directory holding exokerneld and udp-echo (default: this executable's).")
    var binDir: String?

    @Option(name: .long, help: "udp-echo --spin-us in both exokernel paths (0: the library's default spin only).")
    var echoSpinUs = 0

    @Option(name: .long, help: "Pause between round trips in µs (0: back to back): a sparse peer.")
    var intervalUs = 0

    @Flag(name: .long, inversion: .prefixedNo, help: "exokernel-busy: the daemon busy-polls too (else only udp-echo does).")
    var daemonBusyPoll = true

    @Option(name: .long, help: "uid udp-echo runs as (the tenant's uid; not root).")
    var tenantUid: UInt32 = 60_201

    @Flag(name: .long, help: "Short run for tests: 50 round trips per path, one round.")
    var smoke = false

    @Flag(name: .long, help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard count > 0, warmup >= 0, rounds > 0, intervalUs >= 0, (8...1472).contains(size) else {
            throw ValidationError("--count and --rounds must be positive, --size in 8...1472")
        }
        guard !paths.isEmpty, paths.allSatisfy({ RTTPath(rawValue: $0) != nil }) else {
            throw ValidationError("--paths takes \(RTTPath.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard geteuid() == 0 else { throw ValidationError("udp-rtt needs root (namespaces, veth, TAPs)") }
    }

    func run() throws {
        installInterruptHandlers()
        let chosen = paths.compactMap(RTTPath.init(rawValue:))
        let loadBefore = LoadAverage.read()
        let runner = try UDPRTTRunner(
            binDir: binDir ?? UDPRateCommand.ownDirectory, tenantUID: tenantUid, count: smoke ? 50 : count,
            warmup: smoke ? 10 : warmup, size: size)
        defer { runner.teardown() }
        if echoSpinUs > 0 { runner.echoArguments = ["--spin-us", "\(echoSpinUs)"] }
        runner.daemonBusyPoll = daemonBusyPoll
        runner.intervalMicroseconds = intervalUs
        var results: [RTTPath: [RTTRun]] = [:]
        do {
            try runner.setUp(paths: chosen)
            for _ in 0..<(smoke ? 1 : rounds) {
                for path in chosen { results[path, default: []].append(try runner.run(path)) }
            }
        } catch {
            Console.error("exobench udp-rtt: \(error)")
            runner.teardown()
            throw ExitCode(1)
        }
        let report = UDPRTTReport(
            paths: chosen, runs: results, count: runner.count, size: size, loadBefore: loadBefore, loadAfter: LoadAverage.read())
        Console.out(json ? report.json : report.table)
    }
}

/// /proc/loadavg's first three fields: other work on the machine, printed with every
/// benchmark's result (network and VM).
enum LoadAverage {
    static func read() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}
