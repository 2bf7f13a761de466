// The phases of `exobench udp-rate`: set up the private network once, then per path start a
// receiver, run the sender for the same time, and collect both counts. Every child is ours.

import ExoPlatform
import ExoWire
import ExoPacket
import Foundation
import Glibc

/// Runs the paths of one udp-rate invocation; `teardown()` removes everything it made.
final class UDPRateRunner {
    let seconds: Double
    let rawSender: Bool
    let backend: BenchBackend
    let binDir: String
    let tenantUID: UInt32
    let frames: Int
    /// rx: a Linux sender towards the receivers; tx: the receiver is Linux in the peer namespace.
    let direction: UDPRateDirection
    /// `--impair-loss-ppm`: the daemon's random loss both ways, 0 for impairment off.
    let impairLossPPM: UInt32
    /// `--scrape-every`: milliseconds between scrapes of the exokernel path's daemon, 0 for none.
    let scrapeEveryMilliseconds: Int
    let workspace: BenchWorkspace
    var network: BenchNetwork { workspace.network }
    var directory: String { workspace.directory }

    init(
        seconds: Double, rawSender: Bool, backend: BenchBackend, binDir: String, tenantUID: UInt32, frames: Int,
        direction: UDPRateDirection = .rx, impairLossPPM: UInt32 = 0, scrapeEveryMilliseconds: Int = 0
    ) throws {
        self.direction = direction
        self.scrapeEveryMilliseconds = scrapeEveryMilliseconds
        self.impairLossPPM = impairLossPPM
        self.seconds = seconds
        self.rawSender = rawSender
        self.backend = backend
        self.binDir = binDir
        self.tenantUID = tenantUID
        self.frames = frames
        workspace = try BenchWorkspace(name: "udp-rate")
    }

    var exobench: String { binDir + "/exobench" }
    var port: UInt16 { BenchNetwork.benchPort }

    func setUp(paths: [String]) throws {
        let client = direction == .rx ? "udp-sink" : "udp-blast"
        try workspace.requireTools(["exobench", "exokerneld", client, "exoctl"], in: binDir)
        if paths.contains("kernel") || (paths.contains("exokernel") && backend == .packet) { try network.createVeth() }
        if paths.contains("vde") {
            try workspace.createVDE()
        }
    }

    func run(_ path: String) throws -> PathRun {
        if direction == .tx { return try path == "kernel" ? kernelTransmitPath() : exokernelTransmitPath() }
        switch path {
        case "kernel": return try kernelPath()
        case "exokernel": return try exokernelPath()
        default: return try vdePath()
        }
    }

    /// The root end of the veth holds .1 during this phase only; a UDP socket there counts.
    private func kernelPath() throws -> PathRun {
        try network.withRootAddress { address in
            let receiver = try ChildProcess(
                "udp-count", exobench,
                ["udp-count", "--bind", "\(address):\(port)", "--max-seconds", "\(seconds + 10)"],
                logPath: directory + "/udp-count.log")
            _ = try receiver.waitForLine(containing: "udp-count: ready", seconds: 10)
            let sent = try blast(
                namespace: network.peerNamespace, interface: network.vethPeer, source: network.vethAddress(2),
                sourceMAC: BenchNetwork.peerMAC, destination: address, destinationMAC: BenchNetwork.rootMAC)
            return PathRun(sent: sent.count, sendSeconds: sent.seconds, received: try count(receiver))
        }
    }

    /// A daemon started for this phase only (so it sees no other phase's traffic), udp-sink
    /// as its tenant, the sender where the backend puts the wire.
    private func exokernelPath() throws -> PathRun {
        let daemon = try BenchDaemon(
            executable: binDir + "/exokerneld", directory: directory, backend: backend, network: network,
            tenantUID: tenantUID, frames: frames, impairLossPPM: impairLossPPM, metrics: scrapeEveryMilliseconds > 0)
        defer { daemon.stop() }
        let sink = try daemon.startSink(
            executable: binDir + "/udp-sink", port: port, uid: tenantUID, frames: frames, ringCapacity: frames, maxSeconds: seconds + 10,
            logPath: directory + "/udp-sink.log")
        // The link's kernel counters run from the link's creation (earlier phases and rounds
        // crossed it too): everything is reported as the difference over this phase.
        let before = try daemonCounters(daemon)
        let scraper = try startScraper(daemon)
        let sent: (count: Int, seconds: Double)
        switch backend {
        case .tap:
            let tap = network.daemonTap
            try ip("neigh", "replace", "\(daemon.tenantAddress)", "lladdr", "\(daemon.tenantMAC)", "dev", tap, "nud", "permanent")
            sent = try blast(
                namespace: nil, interface: tap, source: network.tapAddress(1), sourceMAC: try network.macAddress(of: tap),
                destination: daemon.tenantAddress, destinationMAC: daemon.tenantMAC)
        case .packet:
            try ip("-n", network.peerNamespace, "neigh", "replace", "\(daemon.tenantAddress)", "lladdr", "\(daemon.tenantMAC)",
                "dev", network.vethPeer, "nud", "permanent")
            sent = try blast(
                namespace: network.peerNamespace, interface: network.vethPeer, source: network.vethAddress(2),
                sourceMAC: BenchNetwork.peerMAC, destination: daemon.tenantAddress, destinationMAC: daemon.tenantMAC)
        }
        let scrapes = scraper?.stop()
        guard try sink.finish(seconds: seconds + 30) == 0, let packets = sink.value("matched").flatMap(Int.init) else {
            throw BenchError("udp-sink failed: \(sink.lines.joined(separator: " | ")); daemon log: \(daemon.log)")
        }
        // Read while the daemon still runs: its counters say where the rest went.
        let counters = try daemonCounters(daemon).since(before)
        return PathRun(sent: sent.count, sendSeconds: sent.seconds, received: packets, counters: counters, scrapes: scrapes)
    }

    /// With `--scrape-every`: a scraper of `daemon`'s endpoint, started just before the sender.
    func startScraper(_ daemon: BenchDaemon) throws -> MetricsScraper? {
        guard scrapeEveryMilliseconds > 0, let endpoint = daemon.metricsEndpoint else { return nil }
        return try MetricsScraper(endpoint: endpoint, everyMilliseconds: scrapeEveryMilliseconds)
    }

    func daemonCounters(_ daemon: BenchDaemon) throws -> DaemonCounters {
        try DaemonCounters.read(exoctl: binDir + "/exoctl", socket: daemon.socketPath, tenant: BenchDaemon.tenant, backend: backend)
    }

    /// Sender and receiver in two namespaces, each on one TAP of the same vde_switch.
    private func vdePath() throws -> PathRun {
        let address = network.vdeAddress(1)
        let receiver = try ChildProcess(
            "udp-count", "/usr/sbin/ip",
            ["netns", "exec", network.vdeReceiverNamespace, exobench, "udp-count", "--bind", "\(address):\(port)", "--max-seconds", "\(seconds + 10)"],
            logPath: directory + "/udp-count.log")
        _ = try receiver.waitForLine(containing: "udp-count: ready", seconds: 10)
        let sent = try blast(
            namespace: network.vdeSenderNamespace, interface: network.vdeSenderTap, source: network.vdeAddress(2),
            sourceMAC: try network.macAddress(of: network.vdeSenderTap, namespace: network.vdeSenderNamespace),
            destination: address,
            destinationMAC: try network.macAddress(of: network.vdeReceiverTap, namespace: network.vdeReceiverNamespace))
        return PathRun(sent: sent.count, sendSeconds: sent.seconds, received: try count(receiver))
    }

    /// Runs `exobench udp-blast` (in `namespace`, if any) for `seconds`.
    private func blast(
        namespace: String?, interface: String, source: IPv4Address, sourceMAC: MACAddress, destination: IPv4Address,
        destinationMAC: MACAddress
    ) throws -> (count: Int, seconds: Double) {
        var arguments = ["udp-blast", "--to", "\(destination):\(port)", "--seconds", "\(seconds)"]
        if rawSender {
            arguments += ["--raw", interface, "--source", "\(source)", "--source-mac", "\(sourceMAC)",
                "--destination-mac", "\(destinationMAC)"]
        }
        let sender = try namespace.map {
            try ChildProcess("udp-blast", "/usr/sbin/ip", ["netns", "exec", $0, exobench] + arguments,
                logPath: directory + "/udp-blast.log")
        } ?? ChildProcess("udp-blast", exobench, arguments, logPath: directory + "/udp-blast.log")
        return try result(of: sender)
    }

    func count(_ receiver: ChildProcess) throws -> Int {
        guard try receiver.finish(seconds: seconds + 30) == 0, let packets = receiver.value("packets").flatMap(Int.init) else {
            throw BenchError("udp-count failed: \(receiver.lines.joined(separator: " | ")) \(log("udp-count.log"))")
        }
        return packets
    }

    func log(_ name: String) -> String { workspace.log(name) }

    func teardown() { workspace.teardown() }
}
