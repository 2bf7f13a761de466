// httpd's command line: the tenant, the endpoint, the directory served, and the bounds.

import ArgumentParser
import ExOS
import ExoVersion

struct HTTPD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "httpd",
        abstract: "An HTTP/1.1 static file server on ExOS's own TCP, for a library-OS tenant of exokerneld.",
        discussion: """
            Attaches as the tenant, starts ExOS's stack, listens on PORT (of ADDRESS, default \
            the tenant's first address) and serves the regular files under ROOT: GET and HEAD, \
            persistent connections, single byte ranges. A directory is served by its index.html \
            (no listings; 404 without one), a path that leaves ROOT through a symlink is 404, and \
            a `..` segment is 400. Prints a line \
            per request unless --quiet. Runs until killed; exit status 2 when it cannot start.
            """,
        version: ExoVersion.line(for: "httpd"))

    @Option(name: .long, help: "Tenant to attach as.")
    var tenant: String

    @Option(name: .long, help: "Port to listen on.")
    var port: UInt16

    @Option(name: .long, help: "Directory to serve.")
    var root: String

    @Option(name: .long, help: "Address to listen on (default: the tenant's first address).")
    var address: String?

    @Option(name: .long, help: "exokerneld's control socket.")
    var socket: String?

    @Option(name: .customLong("as-uid"), help: "Become this uid (and its group) first, when started as root.")
    var asUID: UInt32?

    @Option(name: .long, help: "Frames for the data path (half receive, half transmit).")
    var frames = 128

    @Option(name: .customLong("max-connections"), help: "Connections served at once; more wait to be accepted.")
    var maxConnections = 256

    @Option(name: .customLong("idle-timeout"), help: "Seconds a client may take to send a request head (also between requests) before its connection is reset.")
    var idleTimeout = 15

    @Flag(name: .long, help: "No line per request.")
    var quiet = false

    mutating func validate() throws {
        guard port != 0 else { throw ValidationError("--port must be 1-65535") }
        if let address, IPv4Address(address) == nil { throw ValidationError("--address: not an IPv4 address: \(address)") }
        guard frames >= 2 else { throw ValidationError("--frames must be at least 2") }
        guard idleTimeout >= 1 else { throw ValidationError("--idle-timeout must be at least 1") }
        guard (1...4096).contains(maxConnections) else { throw ValidationError("--max-connections must be 1-4096") }
    }
}
