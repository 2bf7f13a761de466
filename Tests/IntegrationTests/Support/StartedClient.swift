// A client binary (frames-demo, udp-echo) started for a test and run until it says it is
// ready, with its output in a file; stopped by pid.

import Foundation

/// A client binary run until its output contains a line, with stdin held open. `stop()`
/// closes stdin and sends SIGKILL (by pid) if it is still running.
final class StartedClient {
    let process = Process()
    private let input = Pipe()
    /// Where the client's standard output and error go.
    let outputPath: String

    /// Runs `name` with `arguments` (through `launcher`, e.g. a shell that sets a limit and
    /// execs it, when given), its output in a file in `directory`, until that output has `marker`.
    init(_ name: String, _ arguments: [String], launcher: [String] = [], until marker: String, in directory: String) throws {
        outputPath = directory + "/\(name)-\(UUID().uuidString).out"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        let command = launcher + [BuildProducts.path(name)] + arguments
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while true {
            let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            if text.contains(marker) { return }
            guard process.isRunning, Date() < deadline else {
                stop()
                throw HarnessError("\(name) never printed '\(marker)': \(text)")
            }
            usleep(20_000)
        }
    }

    var pid: Int32 { process.processIdentifier }

    func stop() {
        try? input.fileHandleForWriting.close()
        // SIGKILL: a child of the test runner inherits its blocked SIGTERM.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
