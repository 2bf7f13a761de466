// The phases of tcp-bulk and tcp-rr: one private network (veth pair, vde_switch), and per
// path a Linux server (tcp-peer.py) and a client — Python on the kernel and vde paths, the
// ExOS tenant (`exobench tcp-tenant`) of a daemon started for that phase on the exokernel path.

import ExoPacket
import ExoPlatform
import ExoWire
import Foundation
import Glibc

/// What one side printed: its `result` line's fields.
struct TCPSideResult {
    var fields: [String: Double]
    func value(_ key: String) -> Double { fields[key] ?? 0 }
}

/// Both sides of one path's run.
struct TCPPathRun {
    var server: TCPSideResult
    var client: TCPSideResult
}

/// The ExOS tenant's data-path choices, passed alike to every run.
struct TCPTenantOptions {
    var frames: Int
    var ringCapacity: Int
    var busyPoll: Bool
    var buffer: Int
    /// NetworkOptions.spin, microseconds.
    var spinMicroseconds: Int
    /// Every run's server on one port (instead of a port per run).
    var samePort = false
    /// The ExOS client loads its sequence key from a file kept across runs.
    var keepSequenceKey = false
}

/// Runs the paths of one tcp-bulk or tcp-rr invocation; `teardown()` removes everything.
final class TCPBenchRunner {
    let binDir: String
    let tenantUID: UInt32
    let tenant: TCPTenantOptions
    /// `perf record` (DWARF call graphs) output for the ExOS client (exokernel path), if asked.
    let perfOutput: String?
    let workspace: BenchWorkspace
    private var script = ""
    /// Runs so far: each run's server listens on its own port, so no four-tuple of an earlier
    /// run (still in Linux's TIME_WAIT after cps) is met again by a client with other ISNs.
    private var runs: UInt16 = 0
    var network: BenchNetwork { workspace.network }
    var port: UInt16 { BenchNetwork.benchPort + (tenant.samePort ? 0 : runs) }
    /// The ExOS client's sequence key file (`--keep-sequence-key`), in a directory of the
    /// tenant uid's own (SecretFile refuses a file another uid owns).
    private var sequenceKeyPath: String { workspace.directory + "/tenant-state/sequence-key" }
    static let pythonPath = "/usr/bin/python3"

    init(name: String, binDir: String, tenantUID: UInt32, tenant: TCPTenantOptions, perfOutput: String?) throws {
        self.binDir = binDir
        self.tenantUID = tenantUID
        self.tenant = tenant
        self.perfOutput = perfOutput
        workspace = try BenchWorkspace(name: name)
    }

    func setUp(paths: [String]) throws {
        try workspace.requireTools(["exobench", "exokerneld"], in: binDir)
        guard FileManager.default.isExecutableFile(atPath: Self.pythonPath) else { throw BenchError("\(Self.pythonPath) missing") }
        script = try TCPPeerScript.install(in: workspace.directory)
        if tenant.keepSequenceKey {
            let directory = workspace.directory + "/tenant-state"
            guard mkdir(directory, 0o700) == 0, chown(directory, tenantUID, tenantUID) == 0 else {
                throw BenchError("cannot make \(directory) for uid \(tenantUID)")
            }
        }
        if paths.contains("kernel") || paths.contains("exokernel") { try network.createVeth() }
        if paths.contains("vde") { try workspace.createVDE() }
    }

    /// Runs `serverMode` in the path's server namespace and `clientMode` against it for
    /// `seconds`; returns both result lines once both ended.
    func run(_ path: String, serverMode: String, clientMode: String, seconds: Double) throws -> TCPPathRun {
        runs += 1
        switch path {
        case "kernel":
            return try network.withRootAddress { _ in
                try pair(serverNamespace: network.peerNamespace, server: network.vethAddress(2), serverMode: serverMode, seconds: seconds) {
                    try peerTool(namespace: nil, mode: clientMode, role: "client", host: network.vethAddress(2), seconds: seconds)
                }
            }
        case "vde":
            return try pair(serverNamespace: network.vdeReceiverNamespace, server: network.vdeAddress(1), serverMode: serverMode, seconds: seconds) {
                try peerTool(namespace: network.vdeSenderNamespace, mode: clientMode, role: "client", host: network.vdeAddress(1), seconds: seconds)
            }
        default:
            let daemon = try BenchDaemon(
                executable: binDir + "/exokerneld", directory: workspace.directory, backend: .packet, network: network,
                tenantUID: tenantUID, frames: tenant.frames)
            defer { daemon.stop() }
            try ip("-n", network.peerNamespace, "neigh", "replace", "\(daemon.tenantAddress)", "lladdr", "\(daemon.tenantMAC)",
                "dev", network.vethPeer, "nud", "permanent")
            return try pair(serverNamespace: network.peerNamespace, server: network.vethAddress(2), serverMode: serverMode, seconds: seconds) {
                try exosClient(daemon: daemon, mode: clientMode, host: network.vethAddress(2), seconds: seconds)
            }
        }
    }

    /// Server first (until it is ready), then the client; a bulk server ends by itself, the
    /// rr server is stopped once the client is done.
    private func pair(serverNamespace: String, server: IPv4Address, serverMode: String, seconds: Double,
        client: () throws -> ChildProcess) throws -> TCPPathRun
    {
        let serverProcess = try peerTool(namespace: serverNamespace, mode: serverMode, role: "server", host: server, seconds: seconds)
        defer { serverProcess.stop() }
        _ = try serverProcess.waitForLine(containing: "tcp-peer: ready", seconds: 10)
        let clientProcess = try client()
        defer { clientProcess.stop() }
        let clientResult = try result(of: clientProcess, within: seconds + 30)
        let serverResult = serverMode == "rr-server" ? TCPSideResult(fields: [:]) : try result(of: serverProcess, within: 30)
        return TCPPathRun(server: serverResult, client: clientResult)
    }

    private func peerTool(namespace: String?, mode: String, role: String, host: IPv4Address, seconds: Double) throws -> ChildProcess {
        let arguments = [script, mode, role, "\(host)", "\(port)", "\(seconds)"]
        let log = workspace.directory + "/tcp-peer-\(role).log"
        guard let namespace else { return try ChildProcess("tcp-peer \(role)", Self.pythonPath, arguments, logPath: log) }
        return try ChildProcess("tcp-peer \(role)", "/usr/sbin/ip", ["netns", "exec", namespace, Self.pythonPath] + arguments, logPath: log)
    }

    /// `exobench tcp-tenant` as the tenant's uid (setpriv), under `perf record` if asked: DWARF
    /// call graphs (Swift's release code keeps no frame pointers, so `-g` loses most callers),
    /// at 499 Hz to keep the file to tens of MB.
    private func exosClient(daemon: BenchDaemon, mode: String, host: IPv4Address, seconds: Double) throws -> ChildProcess {
        var command = [
            "/usr/bin/setpriv", "--reuid=\(tenantUID)", "--regid=\(tenantUID)", "--clear-groups", binDir + "/exobench",
            "tcp-tenant", "--mode", mode, "--remote", "\(host):\(port)", "--seconds", "\(seconds)", "--socket", daemon.socketPath,
            "--frames", "\(tenant.frames)", "--ring-capacity", "\(tenant.ringCapacity)", "--buffer", "\(tenant.buffer)",
            "--spin-microseconds", "\(tenant.spinMicroseconds)",
        ] + (tenant.keepSequenceKey ? ["--sequence-key-file", sequenceKeyPath] : []) + (tenant.busyPoll ? ["--busy-poll"] : [])
        if let perfOutput {
            let perf = ["/usr/bin/perf", "record", "--call-graph", "dwarf,16384", "-F", "499", "-q", "-o", perfOutput]
            command = perf + ["--"] + command
        }
        return try ChildProcess("tcp-tenant", command[0], Array(command.dropFirst()), logPath: workspace.directory + "/tcp-tenant.log")
    }

    private func result(of child: ChildProcess, within seconds: Double) throws -> TCPSideResult {
        let status = try child.finish(seconds: seconds)
        guard status == 0, let line = child.lines.last(where: { $0.contains("result") }) else {
            throw BenchError("\(child.name) failed (\(status)): \(child.lines.joined(separator: " | ")) \(child.logTail)")
        }
        var fields: [String: Double] = [:]
        for field in line.split(separator: " ") {
            let parts = field.split(separator: "=")
            if parts.count == 2, let value = Double(parts[1]) { fields[String(parts[0])] = value }
        }
        return TCPSideResult(fields: fields)
    }

    func teardown() { workspace.teardown() }
}

extension TCPBenchRunner {
    /// Runs `measure` for every kind (direction or measure) and path, `rounds` times, in that
    /// order (paths alternate within a round, so load drifts touch them alike); returns the
    /// samples by kind and path, each with the unit `measure` gives.
    func collect(
        rounds: Int, kinds: [String], paths: [String],
        measure: (_ kind: String, _ path: String) throws -> (value: Double, unit: String)
    ) throws -> [String: [String: Samples]] {
        var samples: [String: [String: Samples]] = [:]
        for _ in 0..<rounds {
            for kind in kinds {
                for path in paths {
                    let (value, unit) = try measure(kind, path)
                    samples[kind, default: [:]][path, default: Samples(name: path, unit: unit)].values.append(value)
                }
            }
        }
        return samples
    }
}
