// `exoctl revoke`: asks a tenant to give frames back by a deadline (visible revocation). The
// tenant chooses which; what it has not given back at the deadline the daemon takes itself.

import ArgumentParser
import ExoClient
import ExoPlatform
import ExoWire

struct RevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Ask a tenant to give frames back by a deadline.",
        discussion: """
            The tenant's sessions get a revocationRequested event: it may hold at most what it \
            holds now less --frames (never below its guaranteed_frames) and allocates nothing \
            meanwhile. It gives back frames of its choice; past the deadline the daemon takes \
            the rest (idle frames first, newest first; frames on its rings as they come back) \
            and tells it which. With --grant ID instead, the holding made by redeeming token ID \
            must end (the frame's memory then moves, so the old holder keeps no access). See \
            docs/PROTOCOL.md §12.
            """)

    @OptionGroup var options: ConnectionOptions

    @Option(help: "The tenant to ask (with --frames).")
    var tenant: String?

    @Option(help: "How many frames it must give back.")
    var frames: UInt32?

    @Option(help: "Instead: revoke the grant redeemed from this token id (the id grant answered).")
    var grant: UInt64?

    @Option(help: "Milliseconds until the daemon takes them itself (1 to 3600000).")
    var deadline: UInt32 = RevocationLimits.defaultDeadlineMillis

    func validate() throws {
        if grant != nil {
            guard tenant == nil, frames == nil else { throw ValidationError("--grant takes no --tenant or --frames") }
        } else {
            guard tenant != nil, let frames else { throw ValidationError("give --tenant and --frames, or --grant") }
            guard frames >= 1 else { throw ValidationError("--frames must be at least 1") }
        }
        guard (1...RevocationLimits.maxDeadlineMillis).contains(deadline) else {
            throw ValidationError("--deadline must be 1 to \(RevocationLimits.maxDeadlineMillis) ms")
        }
    }

    func run() async throws {
        let session = try await options.attach()
        defer { session.close() }
        if let grant {
            let id = try await session.revokeGrant(tokenID: grant, deadlineMillis: deadline)
            if options.json {
                Console.out(JSONOutput.render(RevokeJSON(id: id, target: 0, held: 0)))
            } else {
                Console.out("revocation \(id): the holder of grant \(grant) must give it up within \(deadline) ms")
            }
            return
        }
        guard let tenant, let frames else { return }
        let started = try await session.revoke(tenant: tenant, frames: frames, deadlineMillis: deadline)
        if options.json {
            Console.out(JSONOutput.render(RevokeJSON(id: started.id, target: started.target, held: started.held)))
        } else if started.id == 0 {
            Console.out("\(tenant) holds \(started.held) frames, at or below what it must keep: nothing to revoke")
        } else {
            Console.out("revocation \(started.id): \(tenant) holds \(started.held) frames, must hold at most "
                + "\(started.target) within \(deadline) ms")
        }
    }
}

/// `exoctl revoke --json`: the reply with the wire's field names.
struct RevokeJSON: Encodable {
    var id: UInt64
    var target: UInt32
    var held: UInt32
}
