// The phases of `exobench udp-rtt`: one veth pair (and a vde_switch) set up once, then per
// path an echo server started, `udp-ping` run from the Linux peer, and the result collected.

import ExoPlatform
import ExoWire
import ExoPacket
import Foundation
import Glibc

/// The paths `udp-rtt` compares, in the order it runs them.
enum RTTPath: String, CaseIterable {
    /// (a) Linux on both ends: `udp-reflect` on the veth's root end.
    case kernel
    /// (b1) udp-echo behind exokerneld (AF_PACKET on the veth), both sleeping on eventfds.
    case exokernelSleep = "exokernel-sleep"
    /// (b2) the same with udp-echo and the daemon busy-polling.
    case exokernelBusy = "exokernel-busy"
    /// (c) `udp-reflect` behind vde_switch (two TAPs in two namespaces).
    case vde
}

/// One path's one round, as `udp-ping` reported it (microseconds).
struct RTTRun {
    var sent: Int
    var received: Int
    var seconds: Double
    var p50: Double
    var p99: Double
    var p999: Double
    var tripsPerSecond: Double { seconds > 0 ? Double(received) / seconds : 0 }
}

/// Runs the paths of one udp-rtt invocation; `teardown()` removes everything it made.
final class UDPRTTRunner {
    let binDir: String
    let tenantUID: UInt32
    let count: Int
    let warmup: Int
    let size: Int
    /// More arguments for udp-echo (e.g. --spin-us), from the command line.
    var echoArguments: [String] = []
    /// Whether the exokernel-busy path's daemon busy-polls (udp-echo always does there).
    var daemonBusyPoll = true
    /// The client's pause between round trips (0: back to back).
    var intervalMicroseconds = 0
    let workspace: BenchWorkspace
    var network: BenchNetwork { workspace.network }
    var directory: String { workspace.directory }

    init(binDir: String, tenantUID: UInt32, count: Int, warmup: Int, size: Int) throws {
        self.binDir = binDir
        self.tenantUID = tenantUID
        self.count = count
        self.warmup = warmup
        self.size = size
        workspace = try BenchWorkspace(name: "udp-rtt")
    }

    private var exobench: String { binDir + "/exobench" }
    private var port: UInt16 { BenchNetwork.benchPort }

    func setUp(paths: [RTTPath]) throws {
        try workspace.requireTools(["exobench", "exokerneld", "udp-echo"], in: binDir)
        try network.createVeth()
        // Both ends know each other's MAC: no ARP during a run.
        try ip("neigh", "replace", "\(network.vethAddress(2))", "lladdr", "\(BenchNetwork.peerMAC)", "dev", network.vethRoot,
            "nud", "permanent")
        if paths.contains(.vde) {
            try workspace.createVDE()
            let senderMAC = try network.macAddress(of: network.vdeSenderTap, namespace: network.vdeSenderNamespace)
            try ip("-n", network.vdeReceiverNamespace, "neigh", "replace", "\(network.vdeAddress(2))", "lladdr", "\(senderMAC)",
                "dev", network.vdeReceiverTap, "nud", "permanent")
        }
    }

    func run(_ path: RTTPath) throws -> RTTRun {
        switch path {
        case .kernel: try kernelPath()
        case .exokernelSleep: try exokernelPath(busyPoll: false)
        case .exokernelBusy: try exokernelPath(busyPoll: true)
        case .vde: try vdePath()
        }
    }

    /// The root end holds .1 during this phase only; `udp-reflect` echoes there.
    private func kernelPath() throws -> RTTRun {
        try network.withRootAddress { address in
            let server = try ChildProcess(
                "udp-reflect", exobench, ["udp-reflect", "--bind", "\(address):\(port)"],
                logPath: directory + "/udp-reflect.log")
            defer { server.stop() }
            _ = try server.waitForLine(containing: "udp-reflect: ready", seconds: 10)
            return try ping(namespace: network.peerNamespace, to: address)
        }
    }

    /// A daemon started for this phase only, udp-echo as its tenant "sink" owning .3.
    private func exokernelPath(busyPoll: Bool) throws -> RTTRun {
        let daemon = try BenchDaemon(
            executable: binDir + "/exokerneld", directory: directory, backend: .packet, network: network,
            tenantUID: tenantUID, frames: 256, busyPoll: busyPoll && daemonBusyPoll)
        defer { daemon.stop() }
        let echo = try daemon.startEcho(
            executable: binDir + "/udp-echo", port: port, uid: tenantUID, busyPoll: busyPoll, extra: echoArguments,
            logPath: directory + "/udp-echo.log")
        defer { echo.stop() }
        try ip("-n", network.peerNamespace, "neigh", "replace", "\(daemon.tenantAddress)", "lladdr", "\(daemon.tenantMAC)",
            "dev", network.vethPeer, "nud", "permanent")
        return try ping(namespace: network.peerNamespace, to: daemon.tenantAddress)
    }

    /// Client and `udp-reflect` in two namespaces, each on a TAP of one vde_switch.
    private func vdePath() throws -> RTTRun {
        let address = network.vdeAddress(1)
        let server = try ChildProcess(
            "udp-reflect", "/usr/sbin/ip",
            ["netns", "exec", network.vdeReceiverNamespace, exobench, "udp-reflect", "--bind", "\(address):\(port)"],
            logPath: directory + "/udp-reflect.log")
        defer { server.stop() }
        _ = try server.waitForLine(containing: "udp-reflect: ready", seconds: 10)
        return try ping(namespace: network.vdeSenderNamespace, to: address)
    }

    /// Runs `exobench udp-ping` in `namespace` against `address`.
    private func ping(namespace: String, to address: IPv4Address) throws -> RTTRun {
        let client = try ChildProcess(
            "udp-ping", "/usr/sbin/ip",
            ["netns", "exec", namespace, exobench, "udp-ping", "--to", "\(address):\(port)", "--count", "\(count)",
                "--warmup", "\(warmup)", "--size", "\(size)", "--interval-us", "\(intervalMicroseconds)"],
            logPath: directory + "/udp-ping.log")
        let status = try client.finish(seconds: 60 + Double(count) * (0.01 + Double(intervalMicroseconds) / 1e6))
        guard status == 0, let sent = client.value("sent").flatMap(Int.init),
            let received = client.value("received").flatMap(Int.init),
            let seconds = client.value("seconds").flatMap(Double.init),
            let p50 = client.value("p50").flatMap(Double.init), let p99 = client.value("p99").flatMap(Double.init),
            let p999 = client.value("p999").flatMap(Double.init)
        else {
            throw BenchError("udp-ping to \(address) failed (\(status)): \(client.lines.joined(separator: " | ")) \(log("udp-ping.log"))")
        }
        return RTTRun(sent: sent, received: received, seconds: seconds, p50: p50, p99: p99, p999: p999)
    }

    private func log(_ name: String) -> String { workspace.log(name) }

    func teardown() { workspace.teardown() }
}
