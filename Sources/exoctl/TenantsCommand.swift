// `exoctl tenants`: every configured tenant with its quota, frames held, sessions and the
// uids allowed to attach as it; then each tenant's use of every bounded daemon resource.

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
            Console.out(options.render(["tenants": tenants]))
            return
        }
        var table = TextTable(header: ["ID", "NAME", "QUOTA", "HELD", "SESSIONS", "UIDS"], rightAligned: [0, 2, 3, 4])
        table.rows = tenants.map { t in
            ["\(t.id)", t.name, "\(t.frameQuota)", "\(t.framesHeld)", "\(t.sessions)",
             t.uids.map(String.init).joined(separator: ",")]
        }
        Console.out(options.render(table))
        Console.out("")
        Console.out(options.render(Self.usageTable(tenants)))
    }

    /// One row per tenant and resource: use against the limit, and refusals at the limit.
    static func usageTable(_ tenants: [TenantInfo]) -> TextTable {
        var table = TextTable(header: ["TENANT", "RESOURCE", "USED", "LIMIT", "REFUSED"], rightAligned: [2, 3, 4])
        table.rows = tenants.flatMap { t in
            t.usage.map { u in [t.name, u.resource, "\(u.used)", "\(u.limit)", "\(u.refused)"] }
        }
        return table
    }
}
