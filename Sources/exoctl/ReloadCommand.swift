// `exoctl reload`: the daemon reads its configuration file again. A valid file is applied
// without a restart; a broken one is refused with the errors --check-config prints, and the
// configuration in force stays (exit status 1).

import ArgumentParser
import ExoClient
import ExoPlatform
import ExoWire

/// The daemon refused the file: exoctl exits 1 (`ToolExitStatus.refused`) after printing why.
struct ReloadRefused: Error {}

struct ReloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Make the daemon read its configuration file again (as SIGHUP does).",
        discussion: """
            Tenants, uids, gids, quotas, address and port grants, [limits], [impairment] and most \
            [daemon] keys change without a restart; daemon.socket, frames.*, nic.* and \
            impairment.held_packets need one. A file with any error is refused whole: its errors \
            go to stderr (as exokerneld --check-config prints them), the configuration in force \
            stays, and exoctl exits 1. What a reload ends: docs/EXOCTL.md.
            """)

    @OptionGroup var options: ConnectionOptions

    func run() async throws {
        let session = try await options.attach()
        defer { session.close() }
        let report = try await session.reload()
        for warning in report.warnings { Console.error("warning: \(warning)") }
        for error in report.errors { Console.error(error) }
        if options.json {
            Console.out(JSONOutput.render(ReloadJSON(report)))
        } else if report.applied {
            Console.out("reloaded: \(report.tenantsAdded) tenants added, \(report.tenantsRemoved) removed, "
                + "\(report.tenantsChanged) changed; \(report.sessionsEnded) sessions and \(report.bindingsEnded) bindings ended")
        } else {
            Console.error("reload refused: the configuration in force is unchanged")
        }
        if !report.applied { throw ReloadRefused() }
    }
}

/// `exoctl reload --json`: the report with the wire's field names.
struct ReloadJSON: Encodable {
    var applied: Bool
    var errors: [String]
    var warnings: [String]
    var tenantsAdded: UInt32
    var tenantsRemoved: UInt32
    var tenantsChanged: UInt32
    var sessionsEnded: UInt32
    var bindingsEnded: UInt32

    init(_ r: ReloadReport) {
        applied = r.applied
        errors = r.errors
        warnings = r.warnings
        tenantsAdded = r.tenantsAdded
        tenantsRemoved = r.tenantsRemoved
        tenantsChanged = r.tenantsChanged
        sessionsEnded = r.sessionsEnded
        bindingsEnded = r.bindingsEnded
    }
}
