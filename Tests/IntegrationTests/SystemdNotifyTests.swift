// The daemon speaks systemd's notify protocol itself: READY=1 once it accepts connections,
// WATCHDOG=1 at half the asked interval, RELOADING=1 (with MONOTONIC_USEC) then READY=1 around
// a SIGHUP reload, STOPPING=1 on SIGTERM.

import Foundation
import Testing

@Suite(.enabled(if: getuid() == 0, "integration tests run as root"))
struct SystemdNotifyTests {
    @Test func readyWatchdogAndStoppingReachARealNotifySocket() throws {
        let directory = try DaemonHarness.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let notifyPath = directory + "/notify.sock"
        let receiver = try DatagramReceiver(path: notifyPath)
        // WATCHDOG_PID must name the daemon itself: the shell execs it, keeping its pid.
        let daemon = try DaemonHarness(
            environment: ["NOTIFY_SOCKET": notifyPath, "WATCHDOG_USEC": "200000"],
            launcher: ["/bin/sh", "-c", "export WATCHDOG_PID=$$; exec \"$0\" \"$@\""])
        defer { daemon.stop() }

        let first = try #require(receiver.next(timeout: 5))
        #expect(first.split(separator: "\n").contains("READY=1"))
        // The socket accepts connections by the time READY=1 was sent.
        let probe = try runCommand(BuildProducts.path("exoctl"), ["status", "--socket", daemon.socketPath])
        #expect(probe.status == 0, "exoctl status after READY: \(probe.stderr)")

        let start = Date()
        var pings = 0
        while Date().timeIntervalSince(start) < 1.0 {
            if let m = receiver.next(timeout: 1), m.contains("WATCHDOG=1") { pings += 1 }
        }
        // 200 ms interval, pinged every 100 ms: about 10 in a second; allow a loaded machine.
        #expect(pings >= 5, "only \(pings) watchdog pings in 1 s")

        kill(daemon.pid, SIGTERM)
        var sawStopping = false
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, let m = receiver.next(timeout: 5) {
            if m.contains("STOPPING=1") { sawStopping = true; break }
        }
        #expect(sawStopping)
        #expect(daemon.stop() == 0)
    }

    @Test func aReloadBySIGHUPIsRELOADINGThenREADYEvenWhenTheFileIsRefused() throws {
        let directory = try DaemonHarness.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let notifyPath = directory + "/notify.sock"
        let receiver = try DatagramReceiver(path: notifyPath)
        let daemon = try DaemonHarness(environment: ["NOTIFY_SOCKET": notifyPath])
        defer { daemon.stop() }
        #expect(receiver.next(timeout: 5)?.contains("READY=1") == true)

        for broken in [false, true] {
            if broken { try "[frames]\ncount = 0\n".write(toFile: daemon.configPath, atomically: true, encoding: .utf8) }
            let before = Self.monotonicMicroseconds()
            kill(daemon.pid, SIGHUP)
            let reloading = try #require(receiver.next(timeout: 5))
            let lines = reloading.split(separator: "\n")
            #expect(lines.first == "RELOADING=1", "\(reloading)")
            let stamp = lines.first { $0.hasPrefix("MONOTONIC_USEC=") }.flatMap { UInt64($0.dropFirst(15)) }
            #expect(stamp.map { $0 >= before && $0 <= Self.monotonicMicroseconds() } == true, "\(reloading)")
            let ready = try #require(receiver.next(timeout: 5))
            #expect(ready.hasPrefix("READY=1"), "\(ready)")
            #expect(ready.contains("last reload refused") == broken, "\(ready)")
        }
        #expect(daemon.stop() == 0)
    }

    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }
}

/// A bound AF_UNIX datagram socket standing in for systemd's notify socket.
final class DatagramReceiver {
    let fd: Int32
    let path: String

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket: \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in path.utf8.enumerated() { raw[i] = b }
        }
        let ok = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard ok == 0 else { throw HarnessError("bind \(path): \(errno)") }
    }

    deinit { close(fd) }

    /// The next datagram, or nil after `timeout` seconds.
    func next(timeout: Double) -> String? {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, Int32(timeout * 1000)) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n > 0 ? String(decoding: buffer[..<n], as: UTF8.self) : nil
    }
}
