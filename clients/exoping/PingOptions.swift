// exoping's command line: ping(8)'s options that matter here, plus the tenant to attach as.

import ArgumentParser
import ExOS
import ExoVersion

struct PingOptions: ParsableArguments {
    @Option(name: .long, help: "Tenant to attach as.")
    var tenant: String

    @Option(name: .long, help: "exokerneld's control socket (default: $EXOKERNEL_SOCKET or /run/exokernel/exokerneld.sock).")
    var socket: String?

    @Option(name: .customLong("as-uid"), help: "Become this uid (and its group) first, when started as root.")
    var asUID: UInt32?

    @Option(name: .customShort("c"), help: "Stop after sending COUNT requests.")
    var count: Int = 5

    @Option(name: .customShort("i"), help: "Seconds between requests (at least 0.001).")
    var interval: Double = 1

    @Option(name: .customShort("s"), help: "Bytes of echo data per request.")
    var size: Int = 56

    @Option(name: .customShort("W"), help: "Seconds to wait for replies after the last request.")
    var timeout: Double = 2

    @Option(name: .long, help: "Echo identifier (default: the first granted one, or the pid on an owned address).")
    var identifier: UInt16?

    @Flag(name: .customShort("q"), help: "Only the summary.")
    var quiet = false

    @Argument(help: "The IPv4 address to ping.")
    var address: String

    mutating func validate() throws {
        guard IPv4Address(address) != nil else { throw ValidationError("not an IPv4 address: \(address)") }
        guard count >= 1 else { throw ValidationError("-c must be at least 1") }
        guard interval >= 0.001 else { throw ValidationError("-i must be at least 0.001") }
        guard size >= 0 else { throw ValidationError("-s must not be negative") }
        guard timeout > 0 else { throw ValidationError("-W must be positive") }
    }
}

struct Exoping: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exoping",
        abstract: "Send ICMP echo requests from a library-OS tenant, through exokerneld.",
        discussion: """
            Attaches as TENANT, starts ExOS's network stack on the tenant's data path and pings \
            ADDRESS from the tenant's address, printing ping(8)'s lines and summary. On an address \
            shared by port, the echo identifier must be granted to the tenant ("icmp ADDR FIRST-LAST").
            Exit status: 0 when at least one reply came, 1 when none did, 2 on any other error.
            """,
        version: ExoVersion.line(for: "exoping"))

    @OptionGroup var options: PingOptions
}
