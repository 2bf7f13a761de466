// `exoctl frames [--tenant NAME]`: every allocated frame with its epoch, in-flight count
// and holders (one table row per holder). Free frames are not listed.

import ArgumentParser
import ExoClient
import ExoPlatform
import ExoWire

struct FramesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frames", abstract: "List allocated frames and who holds them.")

    @OptionGroup var options: ConnectionOptions

    @Option(name: .long, help: "Only frames this tenant holds.")
    var tenant: String?

    func run() async throws {
        let session = try await options.attach()
        defer { session.close() }
        let frames = try await session.frames(tenant: tenant)
        if options.json {
            Console.out(options.render(["frames": frames]))
            return
        }
        var table = TextTable(
            header: ["FRAME", "EPOCH", "INFLIGHT", "TENANT", "SESSION", "HOLDING", "RIGHTS"],
            rightAligned: [0, 1, 2, 4, 5])
        for f in frames {
            if f.holders.isEmpty {
                table.rows.append(["\(f.frame)", "\(f.epoch)", "\(f.inFlight)", "-", "-", "-", "-"])
            }
            for h in f.holders {
                table.rows.append([
                    "\(f.frame)", "\(f.epoch)", "\(f.inFlight)", h.tenantName, "\(h.session)", "\(h.holding)",
                    h.rights.description,
                ])
            }
        }
        Console.out(options.render(table))
    }
}
