// tcp-echo's command line: the tenant, the endpoint to serve, and how the stack runs.

import ArgumentParser
import ExOS
import ExoVersion

struct TCPEcho: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tcp-echo",
        abstract: "A TCP echo server on ExOS's own TCP, for a library-OS tenant of exokerneld.",
        discussion: """
            Attaches as the tenant, starts ExOS's stack on its data path, listens on PORT (of \
            ADDRESS, default the tenant's first address) and echoes every byte of every \
            connection back to its sender, many connections at once. When a peer closes its \
            side (FIN), tcp-echo sends what remains and closes too (as `nc -N` expects). It \
            prints a line per connection unless --quiet. With --stats-every SECONDS it prints \
            the stack's counters every SECONDS, as one line `tcp-echo: stats NAME=VALUE ... \
            drops: REASON=COUNT ...` (frames and segments received and sent, opens, SYN \
            cookies sent and accepted, challenge ACKs, resets received and sent, out-of-order \
            segments, ignored urgent pointers, retransmits, timeouts, and every drop reason \
            that is not zero), and once more before it exits after --count connections. When \
            exokerneld restarts, tcp-echo attaches again (back-off 50 ms to 2 s) with its \
            listener and open connections, logging "lost exokerneld" and "attached again"; \
            --no-reattach exits instead, and an operator's kick always ends it. Exit status: 0 \
            after --count connections ended, 2 on any error.
            """,
        version: ExoVersion.line(for: "tcp-echo"))

    @Option(name: .long, help: "Tenant to attach as.")
    var tenant: String

    @Option(name: .long, help: "Port to listen on.")
    var port: UInt16

    @Option(name: .long, help: "Address to listen on (default: the tenant's first address).")
    var address: String?

    @Option(name: .long, help: "exokerneld's control socket.")
    var socket: String?

    @Option(name: .customLong("as-uid"), help: "Become this uid (and its group) first, when started as root.")
    var asUID: UInt32?

    @Option(name: .long, help: "Frames for the data path (half receive, half transmit).")
    var frames = 128

    @Option(name: .long, help: "Exit after this many connections ended.")
    var count: Int?

    @Flag(name: .long, help: "Poll the rings without sleeping (lowest latency, one core busy).")
    var busyPoll = false

    @Option(name: .customLong("stats-every"), help: "Print the stack's counters every this many seconds.")
    var statsEvery: Double?

    @Flag(name: .long, help: "No line per connection.")
    var quiet = false

    @Flag(name: .customLong("no-reattach"), help: "Exit when exokerneld stops or restarts instead of attaching again.")
    var noReattach = false

    mutating func validate() throws {
        guard port != 0 else { throw ValidationError("--port must be 1-65535") }
        if let address, IPv4Address(address) == nil { throw ValidationError("--address: not an IPv4 address: \(address)") }
        guard frames >= 2 else { throw ValidationError("--frames must be at least 2") }
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        if let statsEvery, !(statsEvery >= 0.01 && statsEvery <= 86_400) {
            throw ValidationError("--stats-every must be 0.01-86400 seconds")
        }
    }
}
