// The daemon's log, through swift-log (its handler is bootstrapped by exokerneld: the
// journald one in production). Control-plane only; nothing on a packet path logs.

import Logging

/// The daemon's logger and one-word shorthands for its call sites.
public enum Log {
    /// Labelled "exokerneld"; its handler is whatever `LoggingSystem.bootstrap` installed
    /// (swift-log's default, a stream to standard error, when nothing was).
    public static let logger = Logger(label: "exokerneld")

    public static func error(_ m: String, _ metadata: Logger.Metadata = [:]) { logger.error("\(m)", metadata: metadata) }
    public static func warning(_ m: String, _ metadata: Logger.Metadata = [:]) { logger.warning("\(m)", metadata: metadata) }
    public static func info(_ m: String, _ metadata: Logger.Metadata = [:]) { logger.info("\(m)", metadata: metadata) }
    public static func debug(_ m: String, _ metadata: Logger.Metadata = [:]) { logger.debug("\(m)", metadata: metadata) }

    /// The structured fields of a line about a session, and its tenant when it has one:
    /// journald and `journalctl -o verbose` show them as SESSION= and TENANT= on top of the text.
    public static func about(session: UInt64, tenant: String? = nil) -> Logger.Metadata {
        var fields: Logger.Metadata = ["session": "\(session)"]
        if let tenant { fields["tenant"] = "\(tenant)" }
        return fields
    }
}
