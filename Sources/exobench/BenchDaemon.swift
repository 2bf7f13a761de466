// The exokernel side of udp-rate and udp-rtt: a private exokerneld (its own directory, socket
// and configuration, one tenant "sink") on the benchmark's NIC, and the tenant client it serves.

import ExoPlatform
import ExoWire
import ExoPacket
import Foundation
import Glibc

/// Which NIC the daemon multiplexes in the exokernel phase.
enum BenchBackend: String, CaseIterable {
    /// A TAP the daemon creates; the sender writes to it from the root namespace.
    case tap
    /// AF_PACKET on the veth's root end; the sender is in the peer namespace, as for the kernel.
    case packet
}

/// One running daemon. `stop()` (or deinit) ends it by pid.
final class BenchDaemon {
    static let tenant = "sink"
    let socketPath: String
    let logPath: String
    let tenantAddress: IPv4Address
    let tenantMAC: MACAddress
    /// Where `GET /metrics` is served (loopback, in the root namespace where the daemon and
    /// exobench run), when started with `metrics`.
    private(set) var metricsEndpoint: SocketEndpoint?
    private let daemon: ChildProcess

    /// Writes the configuration into `directory` and starts `exokerneld` on `backend`.
    /// `busyPoll` sets `nic.busy_poll` (the daemon spins instead of sleeping in epoll);
    /// `impairLossPPM` > 0 turns the impairment on both ways with that random loss;
    /// `metrics` turns on its `[metrics]` endpoint on 127.0.0.1, on a port the kernel chooses.
    init(executable: String, directory: String, backend: BenchBackend, network: BenchNetwork, tenantUID: UInt32,
        frames: Int, busyPoll: Bool = false, impairLossPPM: UInt32 = 0, metrics: Bool = false) throws
    {
        socketPath = directory + "/exokerneld.sock"
        logPath = directory + "/daemon.log"
        let nicName: String
        let host: IPv4Address
        switch backend {
        case .tap:
            nicName = network.daemonTap
            host = network.tapAddress(1)
            tenantAddress = network.tapAddress(3)
        case .packet:
            nicName = network.vethRoot
            host = network.vethAddress(1)
            tenantAddress = network.vethAddress(3)
        }
        // The daemon's generated MAC for an address owned whole: 02:00 and the address.
        tenantMAC = MACAddress(rawValue: 0x0200_0000_0000 | UInt64(tenantAddress.rawValue))
        let config = """
            [daemon]
            socket = "\(socketPath)"

            [frames]
            count = \(frames + 256)
            size = 4096

            [nic]
            backend = "\(backend.rawValue)"
            name = "\(nicName)"
            \(backend == .tap ? "mtu = 1500" : "# mtu: the link's own")
            host_address = "\(host)/24"
            \(busyPoll ? "busy_poll = true" : "# busy_poll = false")

            [[tenant]]
            name = "\(Self.tenant)"
            uids = [\(tenantUID)]
            frame_quota = \(frames)
            addresses = ["\(tenantAddress)"]

            \(impairLossPPM == 0 ? "" : "[impairment.to_tenants]\nloss_ppm = \(impairLossPPM)\n[impairment.from_tenants]\nloss_ppm = \(impairLossPPM)")

            \(metrics ? "[metrics]\nlisten = \"127.0.0.1:0\"" : "")
            """
        let configPath = directory + "/exokerneld.toml"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        // Every daemon of a run appends to one log: this one's lines start here.
        let logStart = ((try? FileManager.default.attributesOfItem(atPath: logPath))?[.size] as? Int) ?? 0
        daemon = try ChildProcess("exokerneld", executable, ["--config", configPath], logPath: logPath)
        let deadline = MonotonicClock.nanoseconds() + 15_000_000_000
        while !FileManager.default.fileExists(atPath: socketPath) {
            guard daemon.process.isRunning else { throw BenchError("exokerneld exited: \(log)") }
            guard MonotonicClock.nanoseconds() < deadline else { throw BenchError("exokerneld did not listen: \(log)") }
            if benchInterrupted.load(ordering: .relaxed) { throw BenchError.interrupted }
            usleep(20_000)
        }
        if metrics { metricsEndpoint = try Self.servedEndpoint(logPath: logPath, from: logStart, daemon: daemon) }
    }

    /// The port 0 the configuration asked for, as the kernel chose it: read from the daemon's
    /// "metrics: serving http://A.B.C.D:PORT/metrics" line (logged just after the control socket).
    private static func servedEndpoint(logPath: String, from logStart: Int, daemon: ChildProcess) throws -> SocketEndpoint {
        let marker = "metrics: serving http://"
        let deadline = MonotonicClock.nanoseconds() + 5_000_000_000
        while true {
            let bytes = FileManager.default.contents(atPath: logPath) ?? Data()
            let log = String(decoding: bytes.dropFirst(logStart), as: UTF8.self)
            if let start = log.range(of: marker)?.upperBound {
                let text = log[start...].prefix { $0 != "/" }
                guard let endpoint = SocketEndpoint(String(text)) else { throw BenchError("cannot read the metrics endpoint: \(log)") }
                return endpoint
            }
            guard daemon.process.isRunning else { throw BenchError("exokerneld exited: \(log)") }
            guard MonotonicClock.nanoseconds() < deadline else { throw BenchError("exokerneld logged no metrics endpoint: \(log)") }
            usleep(20_000)
        }
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Starts udp-sink as the tenant on `port` and waits until it is bound and its fill ring is full.
    func startSink(executable: String, port: UInt16, uid: UInt32, frames: Int, ringCapacity: Int, maxSeconds: Double,
        logPath: String) throws
        -> ChildProcess
    {
        let sink = try ChildProcess(
            "udp-sink", executable,
            ["--tenant", Self.tenant, "--address", "\(tenantAddress)", "--port", "\(port)", "--socket", socketPath,
                "--as-uid", "\(uid)", "--frames", "\(frames)", "--ring-capacity", "\(ringCapacity)", "--max-seconds", "\(maxSeconds)"],
            logPath: logPath)
        _ = try sink.waitForLine(containing: "udp-sink: ready", seconds: 20)
        return sink
    }

    /// Starts clients/udp-echo as the tenant on `port` (quiet: no line per datagram) and waits
    /// until it serves. `busyPoll`: it spins on its rings instead of sleeping on its eventfd.
    func startEcho(executable: String, port: UInt16, uid: UInt32, busyPoll: Bool, extra: [String] = [], logPath: String) throws
        -> ChildProcess
    {
        let echo = try ChildProcess(
            "udp-echo", executable,
            ["--tenant", Self.tenant, "--address", "\(tenantAddress)", "--port", "\(port)", "--socket", socketPath,
                "--as-uid", "\(uid)", "--frames", "64", "--ring-capacity", "64", "--quiet"] + (busyPoll ? ["--busy-poll"] : []) + extra,
            logPath: logPath)
        _ = try echo.waitForLine(containing: "udp-echo: tenant", seconds: 20)
        return echo
    }

    func stop() { daemon.stop() }
    deinit { daemon.stop() }
}
