// `exobench udp-ping`: the udp-rtt client. Sends one datagram at a time on a connected UDP
// socket, waits for its echo, and reports the round trips' percentiles (the Linux peer).

import ArgumentParser
import ExoPlatform
import Glibc

struct UDPPingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "udp-ping",
        abstract: "UDP echo round trips, one at a time, on a connected socket (the udp-rtt client).",
        discussion: """
            Each datagram carries its sequence number; an echo of an older one is skipped. A round \
            trip with no echo within --timeout-ms counts as lost. Prints "udp-ping: result \
            sent=N received=R lost=L seconds=S p50=.. p99=.. p999=.. min=.. max=.." (microseconds; \
            S is the time the measured round trips took, warm-up excluded).
            """,
        shouldDisplay: false)

    @Option(name: .long, help: "Echo server A.B.C.D:PORT.")
    var to: String

    @Option(name: .long, help: "Source UDP port.")
    var sourcePort: UInt16 = 40_001

    @Option(name: .long, help: "Measured round trips.")
    var count = 10_000

    @Option(name: .long, help: "Round trips before measuring (caches, ARP, wake-up paths).")
    var warmup = 200

    @Option(name: .long, help: "UDP payload bytes (at least 8: the sequence number).")
    var size = 64

    @Option(name: .long, help: "A round trip with no echo after this long is lost.")
    var timeoutMs = 200

    @Option(name: .long, help: "Pause between round trips (0: back to back), not counted in them.")
    var intervalUs = 0

    func validate() throws {
        guard SocketEndpoint(to) != nil else { throw ValidationError("--to must be A.B.C.D:PORT") }
        guard count > 0, warmup >= 0, (8...1472).contains(size), timeoutMs > 0, intervalUs >= 0 else {
            throw ValidationError("--count and --timeout-ms must be positive, --size in 8...1472")
        }
    }

    func run() throws {
        let socket: BenchSocket
        do {
            socket = try BenchSocket.udpConnected(to: SocketEndpoint(to)!, sourcePort: sourcePort)
        } catch {
            Console.error("exobench udp-ping: \(error)")
            throw ExitCode(1)
        }
        var trip = RoundTripper(fd: socket.fd, size: size, timeoutMilliseconds: Int32(timeoutMs))
        for _ in 0..<warmup { _ = trip.once() }
        var samples = [UInt64](repeating: 0, count: count)
        var received = 0
        let start = MonotonicClock.nanoseconds()
        for _ in 0..<count {
            if intervalUs > 0 { usleep(useconds_t(intervalUs)) }
            if let nanoseconds = trip.once() {
                samples[received] = nanoseconds
                received += 1
            }
        }
        let seconds = Double(MonotonicClock.nanoseconds() - start) / 1e9
        let measured = samples[0..<received].sorted()
        func micros(_ q: Double) -> String {
            guard !measured.isEmpty else { return "nan" }
            let index = min(measured.count - 1, Int((q * Double(measured.count)).rounded(.up)) - 1)
            return String(Double(measured[max(0, index)]) / 1e3)
        }
        Console.out(
            "udp-ping: result sent=\(count) received=\(received) lost=\(count - received) seconds=\(seconds) "
                + "p50=\(micros(0.5)) p99=\(micros(0.99)) p999=\(micros(0.999)) min=\(micros(0)) max=\(micros(1))")
    }
}

/// One socket's round trips: the payload buffer and the next sequence number.
struct RoundTripper {
    let fd: Int32
    let timeoutMilliseconds: Int32
    var sequence: UInt64 = 0
    var outgoing: [UInt8]
    var incoming: [UInt8]

    init(fd: Int32, size: Int, timeoutMilliseconds: Int32) {
        self.fd = fd
        self.timeoutMilliseconds = timeoutMilliseconds
        outgoing = [UInt8](repeating: 0x61, count: size)
        incoming = [UInt8](repeating: 0, count: 2048)
    }

    /// Sends the next datagram and waits for its echo: the round trip in nanoseconds, or nil
    /// when none came within the timeout (or the send failed).
    mutating func once() -> UInt64? {
        sequence &+= 1
        let expected = sequence
        outgoing.withUnsafeMutableBytes { $0.storeBytes(of: expected.littleEndian, toByteOffset: 0, as: UInt64.self) }
        let start = MonotonicClock.nanoseconds()
        let deadline = start + UInt64(timeoutMilliseconds) * 1_000_000
        guard outgoing.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == outgoing.count else { return nil }
        while true {
            let now = MonotonicClock.nanoseconds()
            guard now < deadline else { return nil }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let remaining = Int32(min(UInt64(Int32.max), (deadline - now) / 1_000_000 + 1))
            guard poll(&poller, 1, remaining) > 0 else { continue }
            let read = incoming.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            guard read >= 8 else { continue }
            let echoed = incoming.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 0, as: UInt64.self)) }
            if echoed == expected { return MonotonicClock.nanoseconds() - start }
        }
    }
}
