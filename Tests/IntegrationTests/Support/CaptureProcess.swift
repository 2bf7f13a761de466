// One `exoctl capture` running in the background with stdout in a file: start, wait for the
// pcap header, interrupt or kill by pid, and read back its records and tcpdump's view.

import Foundation
import Glibc

/// A running `exoctl capture ... > FILE`. Call `interrupt()` or `kill9()` (also on failure:
/// use `defer`); both signal this pid only and are idempotent.
final class CaptureProcess: @unchecked Sendable {
    /// One pcap record.
    struct Record {
        var originalLength: Int
        var bytes: [UInt8]
    }

    let path: String
    let process = Process()
    private let errors = Pipe()

    /// Starts the capture; returns once the pcap file header is written (the daemon accepted
    /// the capture), or throws with exoctl's stderr if it exits first.
    init(_ daemon: DaemonHarness, _ arguments: [String], name: String) throws {
        path = daemon.directory + "/\(name).pcap"
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        process.executableURL = URL(fileURLWithPath: BuildProducts.path("exoctl"))
        process.arguments = ["capture"] + arguments + ["--socket", daemon.socketPath]
        process.standardOutput = FileHandle(forWritingAtPath: path)!
        process.standardError = errors
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while fileSize < 24 {
            guard process.isRunning, Date() < deadline else {
                kill9()
                throw HarnessError("exoctl capture did not start: \(stderr)")
            }
            usleep(10_000)
        }
    }

    private var fileSize: Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Waits up to `seconds` for exoctl to exit by itself; its status, or nil if still running.
    func waitForExit(seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { return nil }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// SIGINT, then waits; returns the exit status (SIGKILL after 5 s).
    @discardableResult
    func interrupt() -> Int32 {
        if process.isRunning { kill(process.processIdentifier, SIGINT) }
        if waitForExit(seconds: 5) == nil { kill9() }
        return process.terminationStatus
    }

    func kill9() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// exoctl's stderr; call after it exited.
    var stderr: String {
        String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    /// The records, after checking the file header (nanosecond magic little-endian, 2.4, Ethernet).
    func records() throws -> [Record] {
        let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        guard data.count >= 24, Array(data[0..<4]) == [0x4D, 0x3C, 0xB2, 0xA1], Array(data[4..<8]) == [2, 0, 4, 0],
            Array(data[20..<24]) == [1, 0, 0, 0]
        else { throw HarnessError("bad pcap header: \(data.prefix(24))") }
        func u32(_ at: Int) -> Int { Int(data[at]) | Int(data[at + 1]) << 8 | Int(data[at + 2]) << 16 | Int(data[at + 3]) << 24 }
        var records: [Record] = []
        var at = 24
        while at + 16 <= data.count {
            let length = u32(at + 8)
            guard at + 16 + length <= data.count else { throw HarnessError("truncated pcap record at \(at)") }
            records.append(Record(originalLength: u32(at + 12), bytes: Array(data[(at + 16)..<(at + 16 + length)])))
            at += 16 + length
        }
        guard at == data.count else { throw HarnessError("trailing bytes in pcap") }
        return records
    }

    /// `tcpdump -r FILE -nn`: one line per frame.
    func tcpdump() throws -> [String] {
        let result = try runCommand("/usr/bin/tcpdump", ["-r", path, "-nn"])
        guard result.status == 0 else { throw HarnessError("tcpdump -r failed: \(result.stderr)") }
        return result.stdout.split(separator: "\n").map(String.init)
    }
}
