// exobench: benchmarks. `control` measures the control plane against a live exokerneld, `demux`
// the receive decision in process, `udp-rate` the receive path against the kernel and vde_switch.

import ArgumentParser
import ExOS
import ExoPlatform
import ExoVersion
import ExoWire
import Foundation

struct Exobench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exobench",
        abstract: "Benchmarks: control (against a running exokerneld), demux (in process), udp-rate, udp-rtt, tcp-bulk and tcp-rr (their own network and daemon).",
        version: ExoVersion.line(for: "exobench"),
        subcommands: [
            ControlCommand.self, DemuxCommand.self, UDPRateCommand.self, UDPRTTCommand.self, UDPBlastCommand.self,
            UDPCountCommand.self, UDPPingCommand.self, UDPReflectCommand.self, VMCommand.self, TCPBulkCommand.self,
            TCPRRCommand.self, TCPTenantCommand.self, HTTPCommand.self,
        ])
}

/// Runs the parsed command; usage errors exit 2 (ArgumentParser alone would use 64), like exoctl.
@main
enum ExobenchMain {
    static func main() async {
        do {
            var command = try Exobench.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            exit(ToolExitStatus.success.rawValue)
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch {
            let helpOnly = Exobench.exitCode(for: error) == .success
            (helpOnly ? Console.out : Console.error)(Exobench.fullMessage(for: error))
            exit(helpOnly ? ToolExitStatus.success.rawValue : ToolExitStatus.usage.rawValue)
        }
    }
}

struct ControlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "control",
        abstract: "Frame allocation round trips, batched frame operations, and map+touch versus Linux mmap.",
        discussion: """
            Each round runs every measure once, in the same order (ping, single, batched, ours-map, \
            linux-mmap per frame, linux-mmap per batch), so slow drift hits all measures alike; per \
            measure the median and spread over rounds are reported.

            Exit status: 0 done, 1 refused, 2 usage (e.g. quota below --batch), 3 unreachable, \
            4 not permitted, 5 protocol error.
            """)

    @Option(name: .long, help: "Control socket path (default: $EXOKERNEL_SOCKET or \(SocketPath.defaultPath)).")
    var socket: String?

    @Option(name: .long, help: "Tenant to attach as (must be configured for this uid).")
    var tenant = "bench"

    @Option(name: .long, help: "Round trips (single) and batches (batched) per round.")
    var iterations = 2000

    @Option(name: .long, help: "Batches of allocate+map+touch+unref per round.")
    var mapIterations = 200

    @Option(name: .long, help: "Frames per batch (1...253; needs that much quota).")
    var batch = 64

    @Option(name: .long, help: "Rounds (ABAB alternation of all measures).")
    var rounds = 5

    @Flag(name: .long, help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard iterations > 0, mapIterations > 0, rounds > 0 else {
            throw ValidationError("--iterations, --map-iterations and --rounds must be positive")
        }
        guard (1...WireLimits.maxBatch).contains(batch) else {
            throw ValidationError("--batch must be in 1...\(WireLimits.maxBatch)")
        }
    }

    func run() async throws {
        do throws(ExOSError) {
            try await measure()
        } catch {
            Console.error("exobench: \(error)")
            throw ExitCode(ToolExitStatus(error).rawValue)
        }
    }

    private func measure() async throws(ExOSError) {
        let session = try await ExOS.attach(tenant: tenant, socketPath: socket)
        defer { session.close() }
        guard session.info.frameQuota >= UInt32(batch) else {
            throw .invalidRequest("--batch \(batch) exceeds tenant \(tenant)'s frame quota \(session.info.frameQuota)")
        }
        let work = ControlWorkloads(session: session, iterations: iterations, mapIterations: mapIterations, batch: batch)
        var ping = Samples(name: "ping round trip", unit: "trips/s")
        var single = Samples(name: "single alloc+unref", unit: "pairs/s")
        var batched = Samples(name: "batched alloc+unref (\(batch))", unit: "frames/s")
        var ours = Samples(name: "exokernel alloc+map+touch+unref", unit: "frames/s")
        var linuxFrame = Samples(name: "linux mmap+touch+munmap, 1 frame", unit: "frames/s")
        var linuxBatch = Samples(name: "linux mmap+touch+munmap, \(batch) frames", unit: "frames/s")
        try await session.ping()  // warm the connection and the reader thread
        for _ in 0..<rounds {
            ping.values.append(try await work.pings())
            single.values.append(try await work.singleRoundTrips())
            batched.values.append(try await work.batchedFrames())
            ours.values.append(try await work.mappedFrames())
            linuxFrame.values.append(try work.linuxAnonymousFrames())
            linuxBatch.values.append(try work.linuxAnonymousMaps())
        }
        let ratios: [(String, Double)] = [
            ("batchedOverSingle", ratio(batched.median, single.median)),
            ("batchedOverAim", ratio(batched.median, Self.batchedAim)),
            ("oursOverLinuxMmapFrame", ratio(ours.median, linuxFrame.median)),
            ("oursOverLinuxMmapBatch", ratio(ours.median, linuxBatch.median)),
        ]
        let all = [ping, single, batched, ours, linuxFrame, linuxBatch]
        if json {
            var object: [String: Any] = [
                "frameSize": Int(session.info.frameSize), "batch": batch, "rounds": rounds,
                "iterations": iterations, "mapIterations": mapIterations, "batchedAim": Self.batchedAim,
            ]
            object["measures"] = [
                "ping": ping.json, "single": single.json, "batched": batched.json, "oursMap": ours.json,
                "linuxMmapFrame": linuxFrame.json, "linuxMmapBatch": linuxBatch.json,
            ]
            object["ratios"] = Dictionary(uniqueKeysWithValues: ratios)
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
            Console.out(String(decoding: data, as: UTF8.self))
            return
        }
        var lines = ["frame size \(session.info.frameSize) B, batch \(batch), \(rounds) rounds"]
        let header = pad("MEASURE", 40) + pad("UNIT", 10) + pad("MEDIAN", 12, right: true)
            + pad("MIN", 12, right: true) + pad("MAX", 12, right: true) + pad("US/OP", 10, right: true)
        lines.append(header)
        for s in all {
            let microseconds = s.median > 0 ? String(format: "%.2f", 1e6 / s.median) : "-"
            lines.append(pad(s.name, 40) + pad(s.unit, 10) + pad(format(s.median), 12, right: true)
                + pad(format(s.minimum), 12, right: true) + pad(format(s.maximum), 12, right: true)
                + pad(microseconds, 10, right: true))
        }
        for (name, value) in ratios { lines.append("\(name): \(String(format: "%.3f", value))") }
        Console.out(lines.joined(separator: "\n"))
    }

    /// The design's aim for batched frame operations (alloc+unref of one frame each), per second.
    static let batchedAim = 100_000.0

    private func ratio(_ a: Double, _ b: Double) -> Double { b > 0 ? a / b : 0 }
    private func format(_ value: Double) -> String { String(format: "%.0f", value) }
    private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}
