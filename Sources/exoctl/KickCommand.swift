// `exoctl kick`: ends tenant sessions, as a process's exit would: everything they held (frames,
// tokens, bindings, filters, the data path) is released.

import ArgumentParser
import ExoClient
import ExoPlatform
import ExoWire

struct KickCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kick",
        abstract: "End a tenant's sessions, or one session.",
        discussion: """
            Each session ended gets an error (notPermitted, "ended by an operator") and is \
            closed; what it held is released as when its process exits. The tenant may attach \
            again (remove it from the configuration to keep it out). A session id is the one the \
            daemon's log names ("session 1004 (tenant alice, ...)").
            """)

    @OptionGroup var options: ConnectionOptions

    @Option(help: "End every session of this tenant.")
    var tenant: String?

    @Option(help: "End this session (its id in the daemon's log).")
    var session: UInt64?

    func validate() throws {
        guard (tenant == nil) != (session == nil) else { throw ValidationError("give --tenant or --session") }
        if let session, session == 0 { throw ValidationError("--session must not be 0") }
    }

    func run() async throws {
        let operatorSession = try await options.attach()
        defer { operatorSession.close() }
        let ended = try await operatorSession.kick(tenant: tenant, session: session ?? 0)
        if options.json {
            Console.out(JSONOutput.render(KickJSON(sessionsEnded: ended)))
        } else {
            Console.out("\(ended) session\(ended == 1 ? "" : "s") ended")
        }
    }
}

/// `exoctl kick --json`.
struct KickJSON: Encodable {
    var sessionsEnded: UInt32
}
