// `exoctl status`: the pool and session counters of the running daemon.
// One request, one reply, printed as key/value lines or one JSON object.

import ArgumentParser
import ExoClient
import ExoPlatform
import ExoWire

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show pool and session counters.")

    @OptionGroup var options: ConnectionOptions

    func run() async throws {
        let session = try await options.attach()
        defer { session.close() }
        let s = try await session.status()
        if options.json {
            Console.out(options.render(s))
            return
        }
        var table = TextTable(header: ["KEY", "VALUE"])
        table.rows = [
            ["daemon version", s.daemonVersion], ["protocol version", "\(s.protocolVersion)"], ["pid", "\(s.pid)"],
            ["uptime (s)", "\(s.uptimeSeconds)"], ["pool frames", "\(s.poolFrames)"],
            ["frame size", "\(s.frameSize)"], ["free frames", "\(s.freeFrames)"],
            ["tenants configured", "\(s.tenantsConfigured)"], ["sessions", "\(s.sessions)"],
            ["holdings", "\(s.holdings)"], ["outstanding tokens", "\(s.outstandingTokens)"],
        ]
        Console.out(options.render(table))
    }
}
