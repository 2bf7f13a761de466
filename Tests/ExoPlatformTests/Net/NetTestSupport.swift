// What the link tests share: unique TAP names and private /30 subnets per test, running
// `ip` to see what the kernel reports, waiting on a descriptor, and collecting TAP frames.
import ExoPlatform
import Foundation
import Glibc
import Synchronization

/// Unique per test process and per call: "exot" + pid + "n" + counter, at most 15 bytes.
/// Devices are non-persistent, so the kernel removes them when the test's TapDevice goes
/// away — also when an expectation fails or the process dies.
enum TestNames {
    private static let counter = Atomic<Int>(0)

    static func next() -> Int { counter.add(1, ordering: .relaxed).newValue }

    static func uniqueTap() -> String {
        let name = "exot\(getpid() % 1_000_000)n\(next())"
        precondition(name.utf8.count <= 15, "interface names are at most 15 bytes")
        return name
    }

    /// A /30 of 10.213.0.0/16 for one test: (host side .1, peer .2). Only the test's own TAP
    /// ever carries it, so no traffic leaves that TAP.
    static func uniqueSubnet() -> (host: IPv4InterfaceAddress, peer: [UInt8]) {
        let block = UInt32((Int(getpid()) &* 64 &+ next()) % 16_384)  // 16,384 /30s in a /16
        let base: UInt32 = 0x0AD5_0000 | block << 2
        return (IPv4InterfaceAddress(address: base | 1, prefixLength: 30)!, withUnsafeBytes(of: (base | 2).bigEndian) { Array($0) })
    }
}

/// Output and exit status of one command, e.g. `ip -d link show NAME`.
struct CommandResult {
    let status: Int32
    let output: String
}

/// Runs `/usr/sbin/ip` (or `/sbin/ip`) with `arguments`, capturing stdout and stderr.
func runIP(_ arguments: [String]) throws -> CommandResult {
    let process = Process()
    let path = FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") ? "/usr/sbin/ip" : "/sbin/ip"
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Foundation.Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
}

/// Waits up to `milliseconds` for `fd` to become readable.
func waitUntilReadable(_ fd: Int32, milliseconds: Int32) -> Bool {
    var request = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    return poll(&request, 1, milliseconds) == 1
}

extension TapDevice {
    /// Reads frames for up to `milliseconds` until `stop` accepts one; returns every frame read.
    func collectFrames(milliseconds: Int, until stop: ([UInt8]) -> Bool = { _ in false }) throws -> [[UInt8]] {
        var frames: [[UInt8]] = []
        var buffer = [UInt8](repeating: 0, count: 2048)
        let deadline = MonotonicClock.nanoseconds() + UInt64(milliseconds) * 1_000_000
        while MonotonicClock.nanoseconds() < deadline {
            let left = Int32((deadline - MonotonicClock.nanoseconds()) / 1_000_000) + 1
            guard waitUntilReadable(fd, milliseconds: left) else { continue }
            var elements = buffer.mutableSpan
            var bytes = elements.mutableBytes
            guard let length = try read(into: &bytes) else { continue }
            let frame = Array(buffer[0..<length])
            frames.append(frame)
            if stop(frame) { break }
        }
        return frames
    }

    /// Writes `frame` from an array.
    func write(bytes frame: [UInt8]) throws -> Bool {
        try write(frame.span.bytes)
    }
}

/// The EtherType of an Ethernet frame (0 if it is too short to have one).
func etherType(_ frame: [UInt8]) -> UInt16 {
    frame.count >= 14 ? UInt16(frame[12]) << 8 | UInt16(frame[13]) : 0
}

/// A broadcast ARP request (42 bytes) from `senderMAC`/`senderIP` asking for `targetIP`.
func arpRequest(senderMAC: [UInt8], senderIP: [UInt8], targetIP: [UInt8]) -> [UInt8] {
    let broadcast = [UInt8](repeating: 0xff, count: 6)
    let ethernet = broadcast + senderMAC + [0x08, 0x06]
    let arpHeader: [UInt8] = [0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01]  // Ethernet, IPv4, request
    return ethernet + arpHeader + senderMAC + senderIP + [UInt8](repeating: 0, count: 6) + targetIP
}

/// A TAP configured the recommended way (gen mode none, MTU 1400, a private /30, up).
struct ConfiguredTap {
    let tap: TapDevice
    let host: IPv4InterfaceAddress
    let peer: [UInt8]

    init(configurator: LinkConfigurator) throws {
        tap = try TapDevice(name: TestNames.uniqueTap())
        (host, peer) = TestNames.uniqueSubnet()
        try configurator.configure(ifindex: tap.ifindex, mtu: 1400, hostAddress: host)
    }
}
