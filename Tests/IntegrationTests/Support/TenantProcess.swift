// Drives one exo-testclient process: a tenant running as its own uid, answering one line per
// command. Tests use it to play mutually distrustful tenants move by move.

import Foundation

final class TenantProcess: @unchecked Sendable {
    let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffered = Data()

    init(socketPath: String, uid: UInt32?) throws {
        process.executableURL = URL(fileURLWithPath: BuildProducts.path("exo-testclient"))
        var arguments = ["--socket", socketPath]
        if let uid { arguments += ["--uid", String(uid)] }
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// Sends one command and returns its one-line answer ("ok ..." / "err ...").
    @discardableResult
    func send(_ command: String) throws -> String {
        input.fileHandleForWriting.write(Data((command + "\n").utf8))
        return try readLine()
    }

    /// Sends a command that must succeed; returns the answer without "ok ".
    @discardableResult
    func ok(_ command: String) throws -> String {
        let answer = try send(command)
        guard answer.hasPrefix("ok") else {
            throw HarnessError("'\(command)' answered '\(answer)' (expected ok)")
        }
        return String(answer.dropFirst(3))
    }

    /// Opens the data path (64-slot rings), allocates and maps `frames` and posts them all on
    /// the fill ring, ready to receive.
    func openReceiving(frames: String) throws {
        try ok("dp-open 64")
        try ok("alloc \(frames)")
        try ok("map \(frames)")
        try ok("dp-fill \(frames)")
    }

    /// The value of `key=` in an answer.
    static func value(_ key: String, in answer: String) -> String? {
        for word in answer.split(separator: " ") where word.hasPrefix(key + "=") {
            return String(word.dropFirst(key.count + 1))
        }
        return nil
    }

    private func readLine() throws -> String {
        let handle = output.fileHandleForReading
        while true {
            if let newline = buffered.firstIndex(of: 0x0A) {
                let line = String(decoding: buffered[buffered.startIndex..<newline], as: UTF8.self)
                buffered = Data(buffered[buffered.index(after: newline)...])
                return line
            }
            let chunk = handle.availableData
            if chunk.isEmpty { throw HarnessError("test client exited (status \(process.isRunning ? -1 : process.terminationStatus))") }
            buffered.append(chunk)
        }
    }

    func kill9() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    func quit() {
        if process.isRunning {
            input.fileHandleForWriting.write(Data("quit\n".utf8))
            try? input.fileHandleForWriting.close()
        }
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        kill9()
    }
}

