// Where the daemon's configuration comes from: a file, plus the overrides of its command line
// and environment (the socket path, the TAP name). Start-up, `--check-config` and every reload
// read it through here, so a reload is checked exactly as `--check-config` checks the file.

import Glibc

/// The configuration file and the overrides applied to what it says.
public struct ConfigSource: Sendable {
    /// The file, as the operator named it (errors name it so).
    public var path: String
    /// `--socket`: replaces `daemon.socket` (and `EXOKERNEL_SOCKET`).
    public var socketOverride: String?
    /// `EXOKERNEL_SOCKET` and `EXOKERNEL_TAP`, as they were when the daemon started.
    public var environment: [String: String]

    public init(path: String, socketOverride: String? = nil, environment: [String: String] = [:]) {
        self.path = path
        self.socketOverride = socketOverride
        self.environment = environment
    }

    /// The source of this process: `environment` taken from its own environment variables.
    public static func process(path: String, socketOverride: String?) -> ConfigSource {
        var environment: [String: String] = [:]
        for name in [DaemonConfig.socketEnvironmentVariable, DaemonConfig.tapEnvironmentVariable] {
            if let value = getenv(name) { environment[name] = String(cString: value) }
        }
        return ConfigSource(path: path, socketOverride: socketOverride, environment: environment)
    }

    /// What one reading of the file gave: the configuration (nil when it could not be read or
    /// decoded), and the errors and warnings `--check-config` prints. Usable only when
    /// `errors` is empty.
    public struct Reading: Sendable {
        public var config: DaemonConfig?
        public var errors: [ConfigError]
        public var warnings: [String]
    }

    /// Reads and decodes the file, applies the overrides, and checks the result against this
    /// host (`ConfigValidator`, with the NIC's facts for the packet backend).
    public func read() -> Reading {
        var loaded: DaemonConfig
        do {
            loaded = try ConfigLoader.load(path: path)
        } catch {
            return Reading(config: nil, errors: [error], warnings: [])
        }
        if let socketOverride {
            loaded.socketPath = socketOverride
        } else {
            loaded = loaded.withSocketOverride(from: environment)
        }
        loaded = loaded.withTapOverride(from: environment)
        let limits: HostLimits
        do {
            limits = try HostLimits.current()
        } catch {
            return Reading(config: loaded, errors: [error], warnings: [])
        }
        let nicFacts = loaded.nic.flatMap { $0.isPacketBackend ? NicHostFacts.read(interface: $0.name) : nil }
        let (errors, warnings) = ConfigValidator.check(loaded, file: path, limits: limits, nicFacts: nicFacts)
        return Reading(config: loaded, errors: errors, warnings: warnings)
    }
}
