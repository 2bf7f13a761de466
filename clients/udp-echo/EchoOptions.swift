// The udp-echo command line, parsed by hand (the client links only ExOS): the tenant, the
// address and UDP port to serve, the socket, frames, polling and an optional uid to become.

import ExOS

struct EchoOptions {
    var tenant = ""
    var address: IPv4Address?
    var port: UInt16 = 0
    var socket: String?
    var frames = 64
    var ringCapacity: UInt32 = 64
    var asUID: UInt32?
    /// Exit after echoing this many datagrams (nil: serve until killed).
    var count: Int?
    /// Spin on the rings instead of sleeping on the eventfd when idle (one core kept busy).
    var busyPoll = false
    /// No line per datagram (a write system call per echo would be in every round trip).
    var quiet = false
    /// Keep polling this long after the last datagram before sleeping (0: the library's
    /// short default spin only).
    var spinMicroseconds = 0
    /// Exit when the session with the daemon ends instead of attaching again.
    var noReattach = false
    /// Print the usage and exit 0.
    var help = false

    static let usage = """
        usage: udp-echo --tenant NAME --address A --port P [--socket PATH] [--as-uid UID]
                        [--frames N] [--ring-capacity C] [--count K] [--busy-poll] [--spin-us U]
                        [--quiet] [--no-reattach]
               udp-echo --version
          A UDP echo server on ExOS's network stack: attaches as tenant NAME, starts the stack
          on the tenant's data path (N frames, default 64, half for receiving and half for
          sending; C slots per ring, default 64), opens a UDP socket on A:P (the stack answers
          ARP and ping for A when the tenant owns it; the daemon does for a shared address),
          and echoes every datagram to its sender, printing "echo N bytes from X:Y". Bad IPv4
          or UDP checksums are dropped and counted by the stack. --count K exits after K
          echoes; --as-uid drops root to that uid (and its group) first. --busy-poll never
          sleeps: the stack thread polls the rings in a loop (lowest latency, one core at 100%;
          pair it with nic.busy_poll in the daemon). --spin-us U keeps polling U µs after the
          last packet before it sleeps (the next request of a busy peer then needs no
          wake-up). --quiet prints no line per datagram. When exokerneld restarts, udp-echo
          attaches again (back-off 50 ms to 2 s), rebuilds its rings and binding and keeps
          serving, logging "lost exokerneld" and "attached again"; --no-reattach exits instead.
          An operator's kick (exoctl kick) always ends it.
        """

    static func parse(_ arguments: [String]) -> Result<EchoOptions, EchoUsageError> {
        var options = EchoOptions()
        var rest = arguments[...]
        func value(_ flag: String) throws(EchoUsageError) -> String {
            guard let next = rest.popFirst() else { throw EchoUsageError("\(flag) needs a value") }
            return next
        }
        func number<N: FixedWidthInteger>(_ flag: String, _: N.Type) throws(EchoUsageError) -> N {
            let text = try value(flag)
            guard let parsed = N(text) else { throw EchoUsageError("\(flag): not a number: \(text)") }
            return parsed
        }
        do throws(EchoUsageError) {
            while let flag = rest.popFirst() {
                switch flag {
                case "--tenant": options.tenant = try value(flag)
                case "--address":
                    let text = try value(flag)
                    guard let address = IPv4Address(text) else { throw EchoUsageError("--address: not an IPv4 address: \(text)") }
                    options.address = address
                case "--port": options.port = try number(flag, UInt16.self)
                case "--socket": options.socket = try value(flag)
                case "--frames": options.frames = try number(flag, Int.self)
                case "--ring-capacity": options.ringCapacity = try number(flag, UInt32.self)
                case "--as-uid": options.asUID = try number(flag, UInt32.self)
                case "--count": options.count = try number(flag, Int.self)
                case "--busy-poll": options.busyPoll = true
                case "--help", "-h":
                    options.help = true
                    return .success(options)
                case "--quiet": options.quiet = true
                case "--no-reattach": options.noReattach = true
                case "--spin-us": options.spinMicroseconds = try number(flag, Int.self)
                default: throw EchoUsageError("unknown argument \(flag)")
                }
            }
            if options.tenant.isEmpty { throw EchoUsageError("--tenant is required") }
            if options.address == nil { throw EchoUsageError("--address is required") }
            if options.port == 0 { throw EchoUsageError("--port is required (1-65535)") }
            if options.frames < 2 { throw EchoUsageError("--frames must be at least 2 (receive and transmit)") }
            if let count = options.count, count < 1 { throw EchoUsageError("--count must be at least 1") }
            if !(0...1_000_000).contains(options.spinMicroseconds) { throw EchoUsageError("--spin-us must be in 0...1000000") }
        } catch {
            return .failure(error)
        }
        return .success(options)
    }
}

struct EchoUsageError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
