// `exoctl filters [--tenant NAME]`: every installed filter (tenant, session, the binding it
// narrows, its id and atoms), as a table or (--json) sorted-key JSON.

import ArgumentParser
import ExoClient
import ExoPlatform
import ExoWire
import ExoPacket
import Foundation

struct FiltersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filters", abstract: "List installed filters (binding → filter id and atoms).")

    @OptionGroup var options: ConnectionOptions

    @Option(name: .long, help: "Only this tenant's filters.")
    var tenant: String?

    func run() async throws {
        let session = try await options.attach()
        defer { session.close() }
        let filters = try await session.filters(tenant: tenant)
        if options.json {
            Console.out(options.render(["filters": filters]))
            return
        }
        var table = TextTable(header: ["TENANT", "SESSION", "BINDING", "ID", "ATOMS"], rightAligned: [1, 3])
        for f in filters {
            table.rows.append([f.tenant, "\(f.session)", Self.binding(f.endpoint), "\(f.filterID)",
                f.atoms.map(\.text).joined(separator: " ")])
        }
        Console.out(options.render(table))
    }

    static func binding(_ e: WireEndpoint) -> String {
        let address = "\(IPv4Address(rawValue: e.address))"
        return e.proto == 0 ? "addr \(address)" : "\(e.protocolName) \(address):\(e.port)"
    }
}
