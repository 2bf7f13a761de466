// exoctl: the operator's view of a running exokerneld. Parses the command line, runs one
// query, and maps every outcome to an exit status a script can rely on.

import ArgumentParser
import ExoClient
import ExoPlatform
import ExoVersion
import Glibc

struct Exoctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exoctl",
        abstract: "Inspect a running exokerneld: pool status, tenants, frames and capability tokens.",
        discussion: """
            The control socket is --socket PATH, else $EXOKERNEL_SOCKET, else \(SocketPath.defaultPath).
            Queries need operator rights: root, or a member of the daemon's operator group.
            --json (one line; --pretty indents it), --no-header and --socket may come before the
            subcommand too (exoctl --json status).

            EXIT STATUS
              0  success
              1  the daemon refused the request (the refusal is printed); for reload: the
                 configuration file was refused and the one in force is unchanged
              2  usage error
              3  the daemon is unreachable (no socket, or nobody listening)
              4  not permitted: not an operator
              5  protocol error: the daemon broke the protocol or hung up
            """,
        version: ExoVersion.line(for: "exoctl"),
        subcommands: [
            StatusCommand.self, TenantsCommand.self, FramesCommand.self, CapsCommand.self, BindingsCommand.self,
            StatsCommand.self, NicCommand.self, FiltersCommand.self, CaptureCommand.self, ImpairCommand.self,
            ReloadCommand.self,
            RevokeCommand.self,
        ])
}

/// Options every subcommand takes.
struct ConnectionOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON (sorted keys, on one line) instead of a table.")
    var json = false

    @Flag(name: .long, help: "With --json: indent the JSON, one key per line.")
    var pretty = false

    @Flag(name: .customLong("no-header"), help: "Print tables without their header row (for scripts).")
    var noHeader = false

    @Option(name: .long, help: "Control socket path (default: $EXOKERNEL_SOCKET or \(SocketPath.defaultPath)).")
    var socket: String?

    /// `value` as JSON, on one line unless --pretty.
    func render(_ value: some Encodable) -> String { JSONOutput.render(value, pretty: pretty) }

    /// `table`, without its header row under --no-header.
    func render(_ table: TextTable) -> String { table.render(header: !noHeader) }

    /// Attaches as operator; failures surface as `ExoClientError` for `main` to map.
    func attach() async throws(ExoClientError) -> OperatorSession {
        try await OperatorSession.attach(socketPath: socket)
    }
}

@main
enum ExoctlMain {
    static func main() async {
        let status: ToolExitStatus
        do {
            // `exoctl --json status` as well as `exoctl status --json`.
            let arguments = GlobalOptions.hoist(
                Array(CommandLine.arguments.dropFirst()), flags: ["--json", "--pretty", "--no-header"], valued: ["--socket"])
            var command = try Exoctl.parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            status = .success
        } catch is ReloadRefused {
            // The errors are printed; the configuration in force did not change.
            status = .refused
        } catch let error as ExoClientError {
            status = ToolExitStatus(error)
            Console.error(message(for: error))
        } catch {
            // ArgumentParser: help and version requests exit 0 on stdout; everything else is usage.
            if Exoctl.exitCode(for: error) == .success {
                Console.out(Exoctl.fullMessage(for: error))
                status = .success
            } else {
                Console.error(Exoctl.fullMessage(for: error))
                status = .usage
            }
        }
        exit(status.rawValue)
    }

    /// The one-line diagnostic for a failed query.
    static func message(for error: ExoClientError) -> String {
        switch ToolExitStatus(error) {
        case .unreachable:
            if case .unreachable(let path, let reason) = error {
                return "exoctl: cannot reach exokerneld at \(path): \(reason). Is the daemon running? Set --socket or EXOKERNEL_SOCKET."
            }
            return "exoctl: \(error)"
        case .notPermitted:
            return "exoctl: not an operator: run as root or as a member of the operator group"
        default:
            return "exoctl: \(error)"
        }
    }
}
