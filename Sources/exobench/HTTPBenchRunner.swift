// The phases of `exobench http`: one veth pair whose peer namespace runs wrk; on the kernel
// path nginx serves the run's directory from the veth's root end (the kernel's TCP), on the
// exokernel path ExOS's httpd serves the same directory as the tenant of an exokerneld on
// that same root end (AF_PACKET).

import ExoPacket
import ExoPlatform
import Foundation
import Glibc

/// wrk's load: threads, connections, seconds per run.
struct WrkLoad {
    var threads: Int
    var connections: Int
    var seconds: Int
}

final class HTTPBenchRunner {
    static let wrkPath = "/usr/bin/wrk"
    static let nginxPath = "/usr/sbin/nginx"
    static let port: UInt16 = 8080
    /// The served files: name and size.
    static let files: [(name: String, size: Int)] = [("small.bin", 1024), ("big.bin", 1024 * 1024)]

    let binDir: String
    let tenantUID: UInt32
    let frames: Int
    let workspace: BenchWorkspace
    var network: BenchNetwork { workspace.network }
    var root: String { workspace.directory + "/www" }
    var script: String { workspace.directory + "/result.lua" }

    init(binDir: String, tenantUID: UInt32, frames: Int) throws {
        self.binDir = binDir
        self.tenantUID = tenantUID
        self.frames = frames
        workspace = try BenchWorkspace(name: "http")
    }

    /// Checks the tools, makes the network and the served directory (random bytes, readable
    /// by nginx's workers and by the tenant's uid).
    func setUp() throws {
        try workspace.requireTools(["exokerneld", "httpd"], in: binDir)
        for tool in [Self.wrkPath, Self.nginxPath] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw BenchError("\(tool) missing: run scripts/install-deps.sh (wrk, nginx-light)")
        }
        try network.createVeth()
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        var generator = SystemRandomNumberGenerator()
        for file in Self.files {
            let bytes = (0..<file.size).map { _ in UInt8.random(in: 0...255, using: &generator) }
            guard FileManager.default.createFile(atPath: root + "/" + file.name, contents: Data(bytes)) else {
                throw BenchError("cannot write \(root)/\(file.name)")
            }
        }
        chmod(root, 0o755)
        for file in Self.files { chmod(root + "/" + file.name, 0o644) }
        try WrkResult.script.write(toFile: script, atomically: true, encoding: .utf8)
    }

    /// Starts the path's server, runs wrk against each file in turn, stops the server.
    func run(_ path: String, load: WrkLoad) throws -> [String: WrkResult] {
        switch path {
        case "kernel":
            return try network.withRootAddress { address in
                let nginx = try startNginx(address: address)
                defer { nginx.stop() }
                return try measureFiles(at: address, load: load) { "nginx: \(nginx.logTail)" }
            }
        default:
            let daemon = try BenchDaemon(
                executable: binDir + "/exokerneld", directory: workspace.directory, backend: .packet, network: network,
                tenantUID: tenantUID, frames: frames)
            defer { daemon.stop() }
            try ip("-n", network.peerNamespace, "neigh", "replace", "\(daemon.tenantAddress)", "lladdr", "\(daemon.tenantMAC)",
                "dev", network.vethPeer, "nud", "permanent")
            let httpd = try ChildProcess(
                "httpd", binDir + "/httpd",
                ["--tenant", BenchDaemon.tenant, "--socket", daemon.socketPath, "--as-uid", "\(tenantUID)",
                 "--address", "\(daemon.tenantAddress)", "--port", "\(Self.port)", "--root", root, "--frames", "\(frames)",
                 "--quiet"],
                logPath: workspace.directory + "/httpd.log")
            defer { httpd.stop() }
            _ = try httpd.waitForLine(containing: "serving", seconds: 15)
            return try measureFiles(at: daemon.tenantAddress, load: load) { "httpd: \(httpd.logTail) daemon: \(daemon.log.suffix(2000))" }
        }
    }

    private func measureFiles(at address: IPv4Address, load: WrkLoad, context: () -> String) throws -> [String: WrkResult] {
        try waitUntilServing(address)
        var results: [String: WrkResult] = [:]
        for file in Self.files {
            results[file.name] = try wrk("http://\(address):\(Self.port)/\(file.name)", load: load, context: context)
        }
        return results
    }

    /// nginx in the root namespace, in the foreground, until killed by pid.
    private func startNginx(address: IPv4Address) throws -> ChildProcess {
        let config = workspace.directory + "/nginx.conf"
        try NginxConfig.text(directory: workspace.directory, root: root, address: "\(address)", port: Self.port)
            .write(toFile: config, atomically: true, encoding: .utf8)
        return try ChildProcess(
            "nginx", Self.nginxPath, ["-p", workspace.directory, "-c", config, "-e", workspace.directory + "/nginx-error.log"],
            logPath: workspace.directory + "/nginx.log")
    }

    /// Fetches the small file from the peer namespace until it arrives (the server is up).
    private func waitUntilServing(_ address: IPv4Address) throws {
        let url = "http://\(address):\(Self.port)/\(Self.files[0].name)"
        for _ in 0..<100 {
            if benchInterrupted.load(ordering: .relaxed) { throw BenchError.interrupted }
            let probe = try ChildProcess(
                "probe", "/usr/sbin/ip", ["netns", "exec", network.peerNamespace, "/usr/bin/curl", "-sf", "-o", "/dev/null",
                "--max-time", "1", url])
            if try probe.finish(seconds: 5) == 0 { return }
            usleep(100_000)
        }
        throw BenchError("\(url) never answered")
    }

    /// One wrk run from the peer namespace.
    private func wrk(_ url: String, load: WrkLoad, context: () -> String) throws -> WrkResult {
        let child = try ChildProcess(
            "wrk", "/usr/sbin/ip",
            ["netns", "exec", network.peerNamespace, Self.wrkPath, "-t", "\(load.threads)", "-c", "\(load.connections)",
             "-d", "\(load.seconds)s", "--timeout", "5s", "-s", script, url],
            logPath: workspace.directory + "/wrk.log")
        let status = try child.finish(seconds: Double(load.seconds) + 30)
        guard status == 0, let result = child.lines.lazy.compactMap(WrkResult.init(line:)).last else {
            throw BenchError("wrk \(url) failed (\(status)): \(child.lines.joined(separator: " | ")) \(child.logTail) \(context())")
        }
        return result
    }

    func teardown() { workspace.teardown() }
}
