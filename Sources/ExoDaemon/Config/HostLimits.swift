// The machine limits a frame pool must fit (open files, memory mappings) and the daemon's uid,
// as plain numbers so ConfigValidator stays pure; `current()` reads this machine's.

import ExoPlatform

/// Limits of the host the daemon runs on. The daemon holds one fd and (later) one mapping per
/// frame, so these cap the pool.
public struct HostLimits: Sendable, Equatable {
    /// The `RLIMIT_NOFILE` the daemon runs with (`UInt64.max` when unlimited): the **hard**
    /// limit, since exokerneld raises its soft limit to it at start (a shell's soft limit of
    /// 1024 says nothing about what the daemon will have).
    public var openFiles: UInt64
    /// `vm.max_map_count`: most memory mappings one process may have.
    public var maxMapCount: Int
    /// The daemon's effective uid; a tenant must never share it.
    public var daemonUID: UInt32

    public init(openFiles: UInt64, maxMapCount: Int, daemonUID: UInt32) {
        self.openFiles = openFiles
        self.maxMapCount = maxMapCount
        self.daemonUID = daemonUID
    }

    /// Where Linux publishes `vm.max_map_count`.
    public static let maxMapCountPath = "/proc/sys/vm/max_map_count"

    /// This process's limits: the hard `RLIMIT_NOFILE`, `vm.max_map_count` and `geteuid()`.
    /// Throws when `/proc/sys/vm/max_map_count` cannot be read or parsed (the error names it).
    public static func current() throws(ConfigError) -> HostLimits {
        let hard: UInt64
        do { hard = try ResourceLimits.hardOpenFiles() } catch {
            throw ConfigError(file: "RLIMIT_NOFILE", key: nil, message: "getrlimit failed (errno \(error.errno))")
        }
        let text = try ConfigFileReader.readText(path: maxMapCountPath, limit: 64)
        let digits = text.filter { !$0.isWhitespace }
        guard let maps = Int(digits), maps >= 0 else {
            throw ConfigError(file: maxMapCountPath, key: nil, message: "expected a number, got '\(digits)'")
        }
        return HostLimits(openFiles: hard, maxMapCount: maps, daemonUID: ProcessIdentity.effectiveUID)
    }
}
