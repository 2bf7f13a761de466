// A veth pair of one test: our end in this namespace (up, no address, no IPv6), the peer end
// in a namespace of its own with a private /30; python3 there sends and captures frames.
import ExoPlatform
import Foundation
import Glibc

/// One veth pair and namespace with names unique to this process and call. `remove()`
/// deletes the namespace (which deletes the pair); call it in a `defer`, so a failing test
/// leaves nothing behind.
final class VethPeer {
    let local: String
    let peer: String
    let namespace: String
    let ifindex: Int32
    /// The peer's address (.2 of the /30) and ours (.1, known only to the peer's neighbour table).
    let peerAddress: String
    let localAddress: String
    let localMAC: String

    init() throws {
        let n = TestNames.next()
        let tag = "\(getpid() % 100_000)n\(n)"
        local = "exopa\(tag)"
        peer = "exopb\(tag)"
        namespace = "exopns\(tag)"
        let block = (Int(getpid()) &* 64 &+ n) % 16_384
        let base = "10.214.\(block >> 6).\((block & 63) << 2)"
        let octets = base.split(separator: ".").map { Int($0)! }
        localAddress = "\(octets[0]).\(octets[1]).\(octets[2]).\(octets[3] + 1)"
        peerAddress = "\(octets[0]).\(octets[1]).\(octets[2]).\(octets[3] + 2)"
        try Self.ip(["netns", "add", namespace])
        do {
            try Self.ip(["link", "add", local, "type", "veth", "peer", "name", peer, "netns", namespace])
            try Self.ip(["link", "set", local, "addrgenmode", "none"])
            try Self.ip(["link", "set", local, "up"])
            try Self.ip(["-n", namespace, "link", "set", peer, "addrgenmode", "none"])
            try Self.ip(["-n", namespace, "addr", "add", "\(peerAddress)/30", "dev", peer])
            try Self.ip(["-n", namespace, "link", "set", peer, "up"])
            try Self.ip(["-n", namespace, "link", "set", "lo", "up"])
            let index = if_nametoindex(local)
            guard index != 0 else { throw VethError("no ifindex for \(local)") }
            ifindex = Int32(bitPattern: index)
            let shown = try runIP(["-br", "link", "show", local]).output
            guard let mac = shown.split(separator: " ", omittingEmptySubsequences: true).dropFirst(2).first else {
                throw VethError("no MAC in '\(shown)'")
            }
            localMAC = String(mac)
            // Our end has no address: the peer learns its MAC from a permanent neighbour entry.
            try Self.ip(["-n", namespace, "neigh", "add", localAddress, "lladdr", localMAC, "dev", peer, "nud", "permanent"])
        } catch {
            _ = try? runIP(["link", "del", local])
            _ = try? runIP(["netns", "del", namespace])
            throw error
        }
    }

    func remove() {
        _ = try? runIP(["link", "del", local])
        _ = try? runIP(["netns", "del", namespace])
    }

    /// Runs `python3 -c script arguments...` inside the peer namespace to completion.
    @discardableResult
    func python(_ script: String, _ arguments: [String] = [], timeout: Double = 10) throws -> String {
        let process = try startPython(script, arguments)
        let deadline = Date().addingTimeInterval(timeout)
        while process.process.isRunning && Date() < deadline { usleep(10_000) }
        if process.process.isRunning { kill(process.process.processIdentifier, SIGKILL) }
        process.process.waitUntilExit()
        let output = process.output()
        guard process.process.terminationStatus == 0 else { throw VethError("python3 failed: \(output)") }
        return output
    }

    /// Starts `python3 -c script arguments...` in the peer namespace; the caller waits for it.
    func startPython(_ script: String, _ arguments: [String]) throws -> BackgroundProcess {
        try BackgroundProcess("/usr/bin/env", ["ip", "netns", "exec", namespace, "python3", "-c", script] + arguments)
    }

    private static func ip(_ arguments: [String]) throws {
        let result = try runIP(arguments)
        guard result.status == 0 else { throw VethError("ip \(arguments.joined(separator: " ")): \(result.output)") }
    }
}

/// A child process whose stdout and stderr go to a temporary file.
final class BackgroundProcess {
    let process = Process()
    private let path: String

    init(_ executable: String, _ arguments: [String]) throws {
        path = NSTemporaryDirectory() + "exoplatform-\(getpid())-\(TestNames.next()).out"
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = FileHandle(forWritingAtPath: path)!
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: path)
    }

    func output() -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// Waits until the output contains `marker` (or the process exits, or `timeout` passes).
    func waitFor(_ marker: String, timeout: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if output().contains(marker) { return true }
            if !process.isRunning { return output().contains(marker) }
            usleep(10_000)
        }
        return false
    }

    func wait(timeout: Double = 10) {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

struct VethError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
