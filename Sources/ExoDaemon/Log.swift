// The daemon's log: one line per event to standard error (journald adds the timestamp).
// Control-plane only; nothing on a packet path logs.

import Glibc

/// Severity prefixes follow sd-daemon(3) so journald files lines under the right priority.
public enum Log {
    public enum Level: Int32, Sendable { case error = 3, warning = 4, info = 6, debug = 7 }

    /// Writes "<N>message\n" to fd 2 in one write, so lines from one process never interleave.
    public static func write(_ level: Level, _ message: String) {
        var line = "<\(level.rawValue)>" + message + "\n"
        line.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { break }
            }
        }
    }

    public static func error(_ m: String) { write(.error, m) }
    public static func warning(_ m: String) { write(.warning, m) }
    public static func info(_ m: String) { write(.info, m) }
}
