// `exoctl tenants`: every configured tenant with its quota, frames held, sessions and the
// uids allowed to attach as it.

import ArgumentParser
import ExoClient
import ExoPlatform
import ExoWire

struct TenantsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tenants", abstract: "List configured tenants.")

    @OptionGroup var options: ConnectionOptions

    func run() async throws {
        let session = try await options.attach()
        defer { session.close() }
        let tenants = try await session.tenants()
        if options.json {
            Console.out(JSONOutput.render(["tenants": tenants]))
            return
        }
        var table = TextTable(header: ["ID", "NAME", "QUOTA", "HELD", "SESSIONS", "UIDS"], rightAligned: [0, 2, 3, 4])
        table.rows = tenants.map { t in
            ["\(t.id)", t.name, "\(t.frameQuota)", "\(t.framesHeld)", "\(t.sessions)",
             t.uids.map(String.init).joined(separator: ",")]
        }
        Console.out(table.render())
    }
}
