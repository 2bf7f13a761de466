// Runs a real exokerneld for one test: a private directory for its socket and configuration,
// start, wait until it listens, and stop (SIGTERM) or kill (SIGKILL) by pid.

import Foundation
import Testing

/// The uids integration tests attach tenants as. They need not exist in /etc/passwd.
enum TestUIDs {
    static let alice: UInt32 = 60_101
    static let bob: UInt32 = 60_102
    static let carol: UInt32 = 60_103
}

/// One daemon process with its own directory. Call `stop()` (also on failure: use `defer`).
final class DaemonHarness: @unchecked Sendable {
    let directory: String
    let socketPath: String
    let configPath: String
    /// The running daemon (another one after `restart()`).
    private(set) var process: Process
    let logPath: String

    /// Tenants as (name, uid, quota). Extra TOML is appended to the [daemon] table, to a
    /// tenant's table (`tenantExtra[name]`), and at the end of the file (`tail`). A daemon that
    /// `launcher` runs as another uid gets the directory as its own (`directoryOwner`, uid and
    /// gid), as systemd's RuntimeDirectory= gives the unit's user /run/exokernel.
    init(tenants: [(String, UInt32, UInt32)] = [("alice", TestUIDs.alice, 64), ("bob", TestUIDs.bob, 64)],
         frames: Int = 256, daemonExtra: String = "", environment: [String: String] = [:],
         launcher: [String] = [], directoryOwner: UInt32? = nil, tenantExtra: [String: String] = [:],
         tail: String = "") throws {
        directory = try Self.makeDirectory()
        if let directoryOwner { chown(directory, directoryOwner, directoryOwner) }
        socketPath = directory + "/exokerneld.sock"
        configPath = directory + "/exokerneld.toml"
        logPath = directory + "/daemon.log"
        var toml = """
            [daemon]
            socket = "\(socketPath)"
            handshake_timeout_ms = 1000
            \(daemonExtra)

            [frames]
            count = \(frames)
            size = 4096

            """
        for (name, uid, quota) in tenants {
            toml += "\n[[tenant]]\nname = \"\(name)\"\nuids = [\(uid)]\nframe_quota = \(quota)\n"
            toml += tenantExtra[name].map { $0 + "\n" } ?? ""
        }
        toml += tail
        try toml.write(toFile: configPath, atomically: true, encoding: .utf8)
        process = Process()
        let daemon = BuildProducts.path("exokerneld")
        if launcher.isEmpty {
            process.executableURL = URL(fileURLWithPath: daemon)
            process.arguments = ["--config", configPath]
        } else {
            process.executableURL = URL(fileURLWithPath: launcher[0])
            process.arguments = Array(launcher.dropFirst()) + [daemon, "--config", configPath]
        }
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NOTIFY_SOCKET")
        env.removeValue(forKey: "EXOKERNEL_SOCKET")
        env.removeValue(forKey: "EXOKERNEL_TAP")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = FileHandle(forWritingAtPath: logPath)!
        process.standardOutput = log
        process.standardError = log
        try process.run()
        try waitForSocket()
    }

    var pid: Int32 { process.processIdentifier }

    /// A tenant process running as `uid`, attached as `tenant`. The caller quits it (`defer`).
    func attachedTenant(_ tenant: String, uid: UInt32) throws -> TenantProcess {
        let process = try TenantProcess(socketPath: socketPath, uid: uid)
        do {
            try process.ok("attach \(tenant)")
        } catch {
            process.quit()
            throw error
        }
        return process
    }

    /// True when a connection to the control socket succeeds (it is closed at once; the
    /// daemon sees a peer that went away before its hello).
    private func socketAcceptsConnections() -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array(socketPath.utf8CString)
        guard path.count <= MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            path.withUnsafeBytes { raw.copyMemory(from: $0) }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return connected == 0
    }

    private func waitForSocket() throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if !process.isRunning {
                throw HarnessError("daemon exited early: \(log)")
            }
            // Listening, not only bound: the file exists from bind(2), before listen(2).
            if socketAcceptsConnections() { return }
            usleep(20_000)
        }
        throw HarnessError("daemon did not listen within 10 s: \(log)")
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// SIGTERM and wait; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
        return process.terminationStatus
    }

    /// SIGTERM and wait, then a new daemon on the same directory, configuration, socket and
    /// environment (its log appended to this one's), once it listens: a restart, as systemd's.
    func restart() throws {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        let next = Process()
        next.executableURL = process.executableURL
        next.arguments = process.arguments
        next.environment = process.environment
        let log = FileHandle(forWritingAtPath: logPath)!
        log.seekToEndOfFile()
        next.standardOutput = log
        next.standardError = log
        try next.run()
        process = next
        try waitForSocket()
    }

    /// SIGKILL and wait.
    func kill9() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    static func makeDirectory() throws -> String {
        var template = Array("/tmp/exokernel-test.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw HarnessError("mkdtemp failed") }
        let path = String(cString: made)
        // Tenants run as other uids and must reach the socket inside.
        chmod(path, 0o755)
        return path
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Result of running a command to completion.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs an executable to completion with a timeout (SIGKILL by pid after it).
func runCommand(_ path: String, _ arguments: [String], environment: [String: String] = [:],
                timeout: TimeInterval = 20) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes concurrently so a chatty child cannot block on a full pipe.
    nonisolated(unsafe) var outData = Data(), errData = Data()
    let group = DispatchGroup()
    group.enter(); DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    group.enter(); DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(10_000) }
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
    group.wait()
    return CommandResult(status: process.terminationStatus,
        stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
}
