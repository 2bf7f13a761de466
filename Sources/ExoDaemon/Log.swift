// The daemon's log: one line per event to standard error (journald adds the timestamp).
// Control-plane only; nothing on a packet path logs.

import ExoPlatform

/// Severity prefixes follow sd-daemon(3) so journald files lines under the right priority.
public enum Log {
    public enum Level: Int32, Sendable { case error = 3, warning = 4, info = 6, debug = 7 }

    /// Writes "<N>message" as one line to fd 2, so lines from one process never interleave.
    public static func write(_ level: Level, _ message: String) {
        Console.error("<\(level.rawValue)>" + message)
    }

    public static func error(_ m: String) { write(.error, m) }
    public static func warning(_ m: String) { write(.warning, m) }
    public static func info(_ m: String) { write(.info, m) }
}
