// exo-nc's command line: netcat's TCP and UDP modes (listen, connect) and the tenant to
// attach as.

import ArgumentParser
import ExOS
import ExoVersion

struct Netcat: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exo-nc",
        abstract: "netcat for a library-OS tenant: TCP and UDP through ExOS's stack and exokerneld.",
        discussion: """
            exo-nc -l PORT: listen on PORT for one TCP connection; stdin goes to it and what it \
            sends goes to stdout. exo-nc HOST PORT: connect to HOST:PORT from a granted port, \
            the same way. At the end of stdin exo-nc shuts down its sending side (a FIN, as \
            `nc -N` does) and keeps reading until the peer closes too; then it exits.
            exo-nc -u -l PORT: bind PORT; write every datagram's payload to stdout; send stdin \
            to the peer that sent the latest datagram (input waits for the first one).
            exo-nc -u HOST PORT: send stdin to HOST:PORT (a datagram per chunk read) from a \
            granted port; write replies to stdout. With -w SECONDS, exit that long after stdin \
            ends (without it, run until killed, as nc does for UDP).
            Exit status: 0 after a clean end, 2 on any error (a refused or reset connection too).
            """,
        version: ExoVersion.line(for: "exo-nc"))

    @Option(name: .long, help: "Tenant to attach as.")
    var tenant: String

    @Option(name: .long, help: "exokerneld's control socket.")
    var socket: String?

    @Option(name: .customLong("as-uid"), help: "Become this uid (and its group) first, when started as root.")
    var asUID: UInt32?

    @Flag(name: .customShort("u"), help: "UDP.")
    var udp = false

    @Flag(name: .customShort("N"), help: "Shut down the sending side at the end of stdin (always done for TCP; accepted for nc's users).")
    var shutdownOnEOF = false

    @Flag(name: .customShort("l"), help: "Listen on PORT.")
    var listen = false

    @Option(name: .customShort("p"), help: "Local port to send from (connect mode; default: a free granted port).")
    var localPort: UInt16 = 0

    @Option(name: .customShort("w"), help: "Seconds to keep running after stdin ends.")
    var wait: Double?

    @Argument(help: "HOST PORT to connect to, or PORT with -l.")
    var endpoint: [String] = []

    mutating func validate() throws {
        if listen {
            guard endpoint.count == 1, let port = UInt16(endpoint[0]), port != 0 else {
                throw ValidationError("-l takes one PORT (1-65535)")
            }
        } else {
            guard endpoint.count == 2, IPv4Address(endpoint[0]) != nil, let port = UInt16(endpoint[1]), port != 0 else {
                throw ValidationError("give HOST PORT (an IPv4 address and 1-65535)")
            }
        }
        if let wait, wait < 0 { throw ValidationError("-w must not be negative") }
    }
}
