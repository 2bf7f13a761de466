// The daemon's log, through swift-log (its handler is bootstrapped by exokerneld: the
// journald one in production). Control-plane only; nothing on a packet path logs.

import Logging

/// The daemon's logger and one-word shorthands for its call sites.
public enum Log {
    /// Labelled "exokerneld"; its handler is whatever `LoggingSystem.bootstrap` installed
    /// (swift-log's default, a stream to standard error, when nothing was).
    public static let logger = Logger(label: "exokerneld")

    public static func error(_ m: String) { logger.error("\(m)") }
    public static func warning(_ m: String) { logger.warning("\(m)") }
    public static func info(_ m: String) { logger.info("\(m)") }
    public static func debug(_ m: String) { logger.debug("\(m)") }
}
