// exokerneld's entry point: flags, configuration, and the daemon's run. Everything else
// lives in ExoDaemon so it can be tested.

import ArgumentParser
import ExoDaemon
import ExoPlatform
import ExoVersion
import Glibc
import Logging

@main
struct Exokerneld: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exokerneld",
        abstract: "Securely multiplex memory frames (and a NIC) among library-OS applications.",
        discussion: """
            Exit status: 0 after a clean stop or a valid --check-config; 1 when the configuration \
            is invalid, the daemon cannot start, or its link was deleted with nic.on_link_loss = "exit" \
            ("reattach" keeps serving and reopens the link when it returns).
            SIGHUP (or `exoctl reload`, or `systemctl reload`) reads the file again: a valid one \
            is applied without a restart, an invalid one is refused with the errors \
            --check-config prints and changes nothing (docs/EXOCTL.md, reload).
            --check-config validates without starting: `--config FILE --check-config` and \
            `--check-config FILE` are the same check.
            The control socket is, in order: --socket, $EXOKERNEL_SOCKET, daemon.socket in the \
            configuration, /run/exokernel/exokerneld.sock.
            """,
        version: ExoVersion.line(for: "exokerneld"))

    static let defaultConfig = "/etc/exokernel/exokerneld.toml"

    @Option(name: .long, help: "Configuration file to run with (default \(Self.defaultConfig)).")
    var config: String?

    @Flag(name: .customLong("check-config"), help: "Validate the configuration file and exit.")
    var checkConfig = false

    /// The file of `--check-config FILE`: both spellings the docs use are accepted.
    @Argument(help: ArgumentHelp("The file to check, as in `--check-config FILE` (same as --config FILE).",
        valueName: "FILE"))
    var checkConfigFile: String?

    @Option(name: .long, help: "Control socket path (overrides the configuration and EXOKERNEL_SOCKET).")
    var socket: String?

    @Option(name: .customLong("log-level"), help: ArgumentHelp(
        "The least severe lines logged: critical, error, warning, notice, info or debug (overrides daemon.log_level; default info).",
        valueName: "level"))
    var logLevel: String?

    func validate() throws {
        if let logLevel, LogLevelSetting.level(named: logLevel) == nil {
            throw ValidationError("--log-level: '\(logLevel)' is not a level: \(LogLevelSetting.names)")
        }
        guard let checkConfigFile else { return }
        guard checkConfig else { throw ValidationError("a configuration file is given with --config FILE") }
        if let config, config != checkConfigFile {
            throw ValidationError("two configuration files: --config \(config) and --check-config \(checkConfigFile)")
        }
    }

    func run() throws {
        // The daemon holds one descriptor per frame: run with the soft limit at the hard one,
        // as the check below (and --check-config) assumes.
        ResourceLimits.raiseOpenFilesToHardLimit()
        let path = checkConfigFile ?? config ?? Self.defaultConfig
        let source = ConfigSource.process(path: path, socketOverride: socket)
        let reading = source.read()
        for warning in reading.warnings { say("exokerneld: warning: \(warning)", priority: Self.warningPriority) }
        for error in reading.errors { say("exokerneld: \(error)", priority: Self.errorPriority) }
        guard reading.errors.isEmpty, let loaded = reading.config else { Glibc.exit(1) }
        if checkConfig {
            say("\(path): configuration is valid (\(loaded.frameCount) frames, \(loaded.tenants.count) tenants)",
                priority: Self.infoPriority)
            return
        }
        // One line per message with journald's <N> priority prefix (see JournaldLogHandler), from
        // the level the command line or else the configuration asks for.
        let level = logLevel.flatMap(LogLevelSetting.level(named:)) ?? loaded.logLevel
        LoggingSystem.bootstrap { label in JournaldLogHandler(label: label, level: level) }
        let daemon: Daemon
        do {
            daemon = try Daemon(config: loaded, source: source)
        } catch {
            fail("\(error)")
        }
        daemon.run()
        // A stop the daemon chose (its link was deleted, nic.on_link_loss = "exit") is a
        // failure, so that systemd's Restart=on-failure acts.
        if let failure = daemon.failure { fail(failure) }
    }

    /// syslog priorities of the lines written before the log exists (sd-daemon(3)).
    static let errorPriority = 3, warningPriority = 4, infoPriority = 6

    /// A line on standard error; under systemd with its "<N>" prefix, so journald files start-up
    /// failures as errors and configuration warnings as warnings (a terminal gets it plain).
    private func say(_ line: String, priority: Int) {
        Console.error(JournalStream.isStandardError() ? "<\(priority)>\(line)" : line)
    }

    private func fail(_ message: String) -> Never {
        say("exokerneld: \(message)", priority: Self.errorPriority)
        Glibc.exit(1)
    }
}
