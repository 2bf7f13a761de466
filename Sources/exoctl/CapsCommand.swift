// `exoctl caps [--tenant NAME]`: outstanding capability tokens — who offered which frame
// with which rights to whom — not yet redeemed or revoked.

import ArgumentParser
import ExoClient
import ExoPlatform
import ExoWire

struct CapsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caps", abstract: "List outstanding capability tokens.")

    @OptionGroup var options: ConnectionOptions

    @Option(name: .long, help: "Only tokens this tenant issued or may redeem.")
    var tenant: String?

    func run() async throws {
        let session = try await options.attach()
        defer { session.close() }
        let caps = try await session.capabilities(tenant: tenant)
        if options.json {
            Console.out(options.render(["capabilities": caps]))
            return
        }
        var table = TextTable(
            header: ["TOKEN", "FRAME", "RIGHTS", "ISSUER", "HOLDING", "AUDIENCE"], rightAligned: [0, 1, 4])
        table.rows = caps.map { c in
            ["\(c.tokenID)", "\(c.frame)", c.rights.description, c.issuerTenant, "\(c.issuerHolding)", c.audienceTenant]
        }
        Console.out(options.render(table))
    }
}
