// Child processes of `exobench udp-rate` (the daemon, udp-sink, senders, receivers, `ip`,
// vde_switch): spawned with a stdout pipe, read line by line with deadlines, stopped by pid.

import ExoPlatform
import Foundation
import Glibc
import Synchronization

/// Set by SIGINT/SIGTERM: every wait below notices it and throws, so the caller's cleanup runs.
let benchInterrupted = Atomic<Bool>(false)

/// Installs handlers that only set `benchInterrupted` (the waits poll it).
func installInterruptHandlers() {
    let handler: @convention(c) (Int32) -> Void = { _ in benchInterrupted.store(true, ordering: .relaxed) }
    signal(SIGINT, handler)
    signal(SIGTERM, handler)
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
    static let interrupted = BenchError("interrupted")
}

/// One spawned process. Its stdout is a pipe this object reads; its stderr goes to `logPath`
/// (or, without one, into the same pipe). Call `stop()` or `finish(...)`; `deinit` kills it if neither ran.
final class ChildProcess {
    let name: String
    let process = Process()
    private let output = Pipe()
    /// Kept open (never written) for children that exit at end of input, like vde_switch.
    private let input = Pipe()
    private var buffer: [UInt8] = []
    private(set) var lines: [String] = []
    private var ended = false
    private let logPath: String?

    init(_ name: String, _ executable: String, _ arguments: [String], logPath: String? = nil, holdInput: Bool = false) throws {
        self.name = name
        self.logPath = logPath
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = output
        process.standardInput = holdInput ? input : FileHandle.nullDevice
        if let logPath {
            if !FileManager.default.fileExists(atPath: logPath) {
                _ = FileManager.default.createFile(atPath: logPath, contents: nil)
            }
            let log = FileHandle(forWritingAtPath: logPath)
            log?.seekToEndOfFile()
            process.standardError = log
        } else {
            process.standardError = output  // short commands: their complaints join their output
        }
        do {
            try process.run()
        } catch {
            throw BenchError("cannot start \(name) (\(executable)): \(error)")
        }
    }

    var pid: Int32 { process.processIdentifier }

    /// Reads available output for up to `milliseconds`; returns false at end of file.
    @discardableResult
    private func pump(milliseconds: Int32) -> Bool {
        guard !ended else { return false }
        let fd = output.fileHandleForReading.fileDescriptor
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, milliseconds) > 0 else { return true }
        var chunk = [UInt8](repeating: 0, count: 4096)
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n <= 0 {
            if n < 0 && errno == EINTR { return true }
            ended = true
            if !buffer.isEmpty { lines.append(String(decoding: buffer, as: UTF8.self)) }
            buffer = []
            return false
        }
        buffer.append(contentsOf: chunk[..<n])
        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            lines.append(String(decoding: buffer[..<newline], as: UTF8.self))
            buffer.removeSubrange(...newline)
        }
        return true
    }

    /// Waits until a line containing `text` is printed; throws on timeout, exit or interrupt.
    func waitForLine(containing text: String, seconds: Double) throws -> String {
        let deadline = MonotonicClock.nanoseconds() + UInt64(seconds * 1e9)
        while true {
            if let line = lines.first(where: { $0.contains(text) }) { return line }
            if benchInterrupted.load(ordering: .relaxed) { throw BenchError.interrupted }
            guard MonotonicClock.nanoseconds() < deadline else {
                throw BenchError("\(name) printed no \"\(text)\" within \(seconds) s; output: \(lines.joined(separator: " | "))")
            }
            if !pump(milliseconds: 50) && !lines.contains(where: { $0.contains(text) }) {
                process.waitUntilExit()
                throw BenchError("\(name) exited (\(process.terminationStatus)) before printing \"\(text)\"; "
                    + "output: \(lines.joined(separator: " | ")) \(logTail)")
            }
        }
    }

    /// Waits for the process to exit (reading all its output) and returns its status; after
    /// `seconds` it is killed and this throws.
    @discardableResult
    func finish(seconds: Double) throws -> Int32 {
        let deadline = MonotonicClock.nanoseconds() + UInt64(seconds * 1e9)
        while pump(milliseconds: 50) {
            if benchInterrupted.load(ordering: .relaxed) { stop(); throw BenchError.interrupted }
            if MonotonicClock.nanoseconds() >= deadline {
                stop()
                throw BenchError("\(name) did not finish within \(seconds) s")
            }
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// SIGTERM, then SIGKILL after a second; waits for the exit. Idempotent.
    func stop() {
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        for _ in 0..<100 where process.isRunning { usleep(10_000) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
    }

    /// The end of the child's stderr log, for error messages.
    var logTail: String {
        guard let logPath, let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return "" }
        return String(text.suffix(2000))
    }

    /// `key=value` from the last line containing `marker` (e.g. "result").
    func value(_ key: String, marker: String = "result") -> String? {
        guard let line = lines.last(where: { $0.contains(marker) }) else { return nil }
        for field in line.split(separator: " ") where field.hasPrefix(key + "=") {
            return String(field.dropFirst(key.count + 1))
        }
        return nil
    }

    deinit { stop() }
}

/// Runs a short command to completion; throws with its output unless it exits 0.
@discardableResult
func runCommand(_ executable: String, _ arguments: [String], seconds: Double = 20) throws -> String {
    let child = try ChildProcess(executable, executable, arguments, logPath: nil)
    let status = try child.finish(seconds: seconds)
    guard status == 0 else {
        throw BenchError("\(executable) \(arguments.joined(separator: " ")) exited \(status): \(child.lines.joined(separator: "\n"))")
    }
    return child.lines.joined(separator: "\n")
}

/// Runs `ip ARGS`; throws with its status and messages on failure.
@discardableResult
func ip(_ arguments: String...) throws -> String {
    try runCommand("/usr/sbin/ip", arguments)
}
