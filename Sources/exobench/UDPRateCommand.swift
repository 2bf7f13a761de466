// `exobench udp-rate`: one minimum-size UDP stream delivered three ways in one run — by the
// Linux kernel to a UDP socket, by exokerneld into a tenant's rx ring, and through vde_switch.

import ArgumentParser
import ExoPlatform
import ExoWire
import Foundation
import Glibc

struct UDPRateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "udp-rate",
        abstract: "64-byte UDP: kernel socket vs exokerneld tenant rx ring vs vde_switch, side by side (root).",
        discussion: """
            Creates its own namespaces, veth pair and vde_switch (names carry this pid), and removes \
            them on exit, failure or SIGINT. Each round runs every path once in the same order; per \
            path: offered rate (what the sender got out), delivered rate, loss, and the ratio of its \
            delivered rate to the kernel socket's. A path whose delivered rate is at least 98% of \
            its offered rate is marked sender-limited: its ratio is then a lower bound.

            Paths: kernel — sender in the peer namespace, the root end of the veth holds the \
            address, exobench udp-count receives with recvmmsg; exokernel — exokerneld (--backend) \
            delivers into tenant "sink"'s rx ring, counted by udp-sink; vde — sender and receiver in \
            two namespaces, each on a TAP of one vde_switch, receiver as for the kernel path.

            --direction tx turns the stream around: `exobench udp-count` receives in the peer \
            namespace; kernel — `exobench udp-blast` on a UDP socket from the veth's root end; \
            exokernel — clients/udp-blast (ExOS) as tenant "sink" through exokerneld's egress guard \
            on the veth's root end (AF_PACKET). No vde path in this direction.
            """)

    @Option(name: .long, help: "Seconds the sender sends, per path and round.")
    var seconds = 3.0

    @Option(name: .long, help: "Rounds (each runs every path once).")
    var rounds = 1

    @Option(name: .long, help: "Sender: udp (sendmmsg on a UDP socket) or raw (sendmmsg of frames on AF_PACKET).")
    var sender = "raw"

    @Option(name: .long, help: "The daemon's NIC: tap (a TAP it creates) or packet (AF_PACKET on the veth).")
    var backend = BenchBackend.packet.rawValue

    @Option(name: .long, parsing: .upToNextOption, help: "Paths to run: kernel, exokernel, vde (rx only).")
    var paths: [String] = []

    @Option(name: .long, help: "rx: into the daemon's tenant; tx: from an ExOS sender out to Linux.")
    var direction = UDPRateDirection.rx.rawValue

    @Option(name: .long, help: "Directory holding exokerneld, udp-sink and exoctl (default: this executable's).")
    var binDir: String?

    @Option(name: .long, help: "uid udp-sink runs as (the tenant's uid; not root).")
    var tenantUid: UInt32 = 60_201

    @Option(name: .long, help: "Frames udp-sink posts on its fill ring (and the ring size).")
    var frames = 1024

    @Option(name: .customLong("impair-loss-ppm"),
        help: "Run the daemon with this random loss (parts per million) on the traffic to/from its tenant ([impairment]): the impairment's cost when on; 0 (default): off.")
    var impairLossPPM: UInt32 = 0

    @Option(name: .customLong("scrape-every"),
        help: "Run the daemon with [metrics] on 127.0.0.1 and GET /metrics every MS milliseconds while the exokernel path's sender runs: the endpoint's cost; 0 (default): off. A failed scrape fails the run.")
    var scrapeEvery = 0

    @Flag(name: .long, help: "Short run for tests: 0.5 s per path, one round.")
    var smoke = false

    @Flag(name: .long, help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard seconds > 0, rounds > 0 else { throw ValidationError("--seconds and --rounds must be positive") }
        guard scrapeEvery >= 0 else { throw ValidationError("--scrape-every takes milliseconds, 0 for off") }
        guard ["udp", "raw"].contains(sender) else { throw ValidationError("--sender must be udp or raw") }
        guard BenchBackend(rawValue: backend) != nil else { throw ValidationError("--backend must be tap or packet") }
        guard let way = UDPRateDirection(rawValue: direction) else { throw ValidationError("--direction must be rx or tx") }
        let known = way == .rx ? ["kernel", "exokernel", "vde"] : ["kernel", "exokernel"]
        guard !chosenPaths.isEmpty, chosenPaths.allSatisfy({ known.contains($0) }) else {
            throw ValidationError("--paths takes \(known.joined(separator: ", ")) with --direction \(direction)")
        }
        guard way == .rx || backend == BenchBackend.packet.rawValue else {
            throw ValidationError("--direction tx runs on the packet backend only")
        }
        guard frames > 0, frames.nonzeroBitCount == 1, frames <= 8192 else {
            throw ValidationError("--frames must be a power of two up to 8192")
        }
        guard geteuid() == 0 else { throw ValidationError("udp-rate needs root (namespaces, veth, TAPs)") }
    }

    /// The paths to run: as given, or every path of the direction.
    var chosenPaths: [String] {
        if !paths.isEmpty { return paths }
        return direction == UDPRateDirection.tx.rawValue ? ["kernel", "exokernel"] : ["kernel", "exokernel", "vde"]
    }

    func run() throws {
        installInterruptHandlers()
        let paths = chosenPaths
        let way = UDPRateDirection(rawValue: direction)!
        let loadBefore = LoadAverage.read()
        let runner = try UDPRateRunner(
            seconds: smoke ? 0.5 : seconds, rawSender: sender == "raw", backend: BenchBackend(rawValue: backend)!,
            binDir: binDir ?? Self.ownDirectory, tenantUID: tenantUid, frames: frames, direction: way,
            impairLossPPM: impairLossPPM, scrapeEveryMilliseconds: scrapeEvery)
        defer { runner.teardown() }
        var results: [String: [PathRun]] = [:]
        do {
            try runner.setUp(paths: paths)
            for _ in 0..<(smoke ? 1 : rounds) {
                for path in paths { results[path, default: []].append(try runner.run(path)) }
            }
        } catch {
            Console.error("exobench udp-rate: \(error)")
            runner.teardown()
            throw ExitCode(1)
        }
        let report = UDPRateReport(
            paths: paths, runs: results, seconds: runner.seconds, sender: way == .tx ? "udp (kernel) / udp-blast (ExOS)" : sender,
            backend: runner.backend.rawValue, direction: way.rawValue, loadBefore: loadBefore, loadAfter: LoadAverage.read(),
            scrapeEveryMilliseconds: scrapeEvery)
        Console.out(json ? report.json : report.table)
        if let failure = report.scrapeFailure {
            Console.error("exobench udp-rate: \(failure)")
            throw ExitCode(1)
        }
    }

    static var ownDirectory: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().path
    }
}

/// One path's one run: what the sender got out and what the receiver counted.
struct PathRun {
    var sent: Int
    var sendSeconds: Double
    var received: Int
    /// The daemon's counters (exokernel path only).
    var counters: DaemonCounters? = nil
    /// The scrapes of the daemon's metrics during the sender's run (`--scrape-every` only).
    var scrapes: ScrapeTally? = nil
    var offeredRate: Double { sendSeconds > 0 ? Double(sent) / sendSeconds : 0 }
    /// Received over the sender's window (the receiver's last packets come just after it).
    var deliveredRate: Double { sendSeconds > 0 ? Double(received) / sendSeconds : 0 }
    var loss: Double { sent > 0 ? max(0, 1 - Double(received) / Double(sent)) : 0 }
    var senderLimited: Bool { sent > 0 && Double(received) >= 0.98 * Double(sent) }
}
