// A tcpdump capture on the host's end of the wire (a TAP, or a veth end in a namespace),
// started and stopped by pid, and the frames it wrote read back from the pcap file.

import Foundation
import Glibc

/// One running `tcpdump -i LINK -w FILE -U`, inside `namespace` when given (`ip netns exec`
/// execs tcpdump in place, so the pid is tcpdump's). Call `stop()` (also on failure: use
/// `defer`); it sends SIGINT to that pid only, waits for it, and is idempotent. Owns the file.
final class PacketCapture: @unchecked Sendable {
    let path: String
    let process = Process()
    private let errors = Pipe()

    /// Starts the capture and returns once tcpdump reports it is listening.
    init(interface: String, directory: String, namespace: NetNamespace? = nil) throws {
        path = directory + "/capture-\(interface).pcap"
        let tcpdump = ["/usr/bin/tcpdump", "-i", interface, "-w", path, "-U", "-Z", "root", "-n", "-p"]
        let command = namespace.map { ["/usr/sbin/ip", "netns", "exec", $0.name] + tcpdump } ?? tcpdump
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var said = Data()
        let deadline = Date().addingTimeInterval(10)
        while !String(decoding: said, as: UTF8.self).contains("listening on") {
            guard process.isRunning, Date() < deadline else {
                stop()
                throw HarnessError("tcpdump did not start: \(String(decoding: said, as: UTF8.self))")
            }
            said.append(errors.fileHandleForReading.availableData)
        }
    }

    /// Stops tcpdump (SIGINT to its pid) and waits for it to flush and exit.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGINT) }
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// The captured frames, in order. Call after `stop()`.
    func frames() throws -> [[UInt8]] {
        let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        guard data.count >= 24 else { throw HarnessError("pcap too short (\(data.count) bytes)") }
        let little = data[0] == 0xD4 && data[1] == 0xC3
        func u32(_ at: Int) -> Int {
            let b = data[at..<(at + 4)].map(Int.init)
            return little ? b[0] | b[1] << 8 | b[2] << 16 | b[3] << 24 : b[3] | b[2] << 8 | b[1] << 16 | b[0] << 24
        }
        guard u32(20) == 1 else { throw HarnessError("pcap link type \(u32(20)), expected Ethernet") }
        var frames: [[UInt8]] = []
        var at = 24
        while at + 16 <= data.count {
            let length = u32(at + 8)
            guard at + 16 + length <= data.count else { break }
            frames.append(Array(data[(at + 16)..<(at + 16 + length)]))
            at += 16 + length
        }
        return frames
    }

    /// `tcpdump -r FILE -nn -e`: the capture as text, for checks and failure messages.
    func text() throws -> String {
        try runCommand("/usr/bin/tcpdump", ["-r", path, "-nn", "-e"]).stdout
    }
}

extension Array where Element == UInt8 {
    /// True when `needle` occurs as a contiguous run.
    func contains(run needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return false }
        return (0...(count - needle.count)).contains { self[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
