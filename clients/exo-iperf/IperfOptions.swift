// exo-iperf's command line: iperf3's server flags (-s, -p, -1) and the tenant's.

import ArgumentParser
import ExOS
import ExoVersion

struct ExoIperf: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exo-iperf",
        abstract: "An iperf3-compatible server on ExOS's own TCP, for a library-OS tenant of exokerneld.",
        discussion: """
            Attaches as the tenant, starts ExOS's stack, listens on PORT (of ADDRESS, default the \
            tenant's first address) and serves iperf3 clients (`iperf3 -c ADDRESS -p PORT`): TCP \
            tests with the client sending (the default), the server sending (-R) or both \
            (--bidir), one or more streams (-P), by time (-t, with -O) or by bytes (-n, -k). \
            UDP and SCTP tests, and a rate (-b) for the server's own sending, are refused with \
            iperf3's error "not implemented"; a client arriving during a test is told the \
            server is busy, as iperf3's server does. Window (-w), MSS (-M), no-delay (-N), \
            congestion (-C) and TOS settings are ignored: the streams use ExOS's defaults \
            (CUBIC, 256 KiB buffers). After each test it prints `exo-iperf: result NAME=VALUE \
            ...` with the bytes it received and sent as it reported them to the client. Runs \
            until killed (with -1, exits after one test: 0 if it completed, 1 if not); exit \
            status 2 when it cannot start.
            """,
        version: ExoVersion.line(for: "exo-iperf"))

    @Flag(name: [.customShort("s"), .long], help: "Run as a server (the only mode).")
    var server = false

    @Option(name: [.customShort("p"), .long], help: "Port to listen on.")
    var port: UInt16 = 5201

    @Flag(name: [.customShort("1"), .customLong("one-off")], help: "Serve one test, then exit.")
    var oneOff = false

    @Option(name: .long, help: "Tenant to attach as.")
    var tenant: String

    @Option(name: .long, help: "Address to listen on (default: the tenant's first address).")
    var address: String?

    @Option(name: .long, help: "exokerneld's control socket.")
    var socket: String?

    @Option(name: .customLong("as-uid"), help: "Become this uid (and its group) first, when started as root.")
    var asUID: UInt32?

    @Option(name: .long, help: "Frames for the data path (half receive, half transmit).")
    var frames = 128

    @Flag(name: .long, help: "Poll the rings without sleeping (lowest latency, one core busy).")
    var busyPoll = false

    mutating func validate() throws {
        guard server else { throw ValidationError("only the server is implemented: give -s") }
        guard port != 0 else { throw ValidationError("--port must be 1-65535") }
        if let address, IPv4Address(address) == nil { throw ValidationError("--address: not an IPv4 address: \(address)") }
        guard frames >= 2 else { throw ValidationError("--frames must be at least 2") }
    }
}
