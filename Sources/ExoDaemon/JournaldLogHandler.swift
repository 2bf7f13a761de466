// A swift-log handler for a systemd service: one line per message on standard error, with the
// sd-daemon(3) "<N>" priority prefix so journald files it under the right level (journald
// adds the timestamp and the unit). Control plane only: nothing on a packet path logs.

import ExoPlatform
import Logging

/// Writes "<N>message key=value ..." to fd 2 in one write, so lines never interleave.
public struct JournaldLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]

    public init(label: String, level: Logger.Level = .info) {
        logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        Console.error(Self.line(event.level, "\(event.message)", metadata.merging(event.metadata ?? [:]) { _, new in new }))
    }

    /// The line journald gets: priority prefix, message, then metadata sorted by key.
    static func line(_ level: Logger.Level, _ message: String, _ metadata: Logger.Metadata) -> String {
        var line = "<\(priority(level))>\(message)"
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\(value)"
        }
        return line
    }

    /// syslog priorities as sd-daemon(3) reads them.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .critical: 2
        case .error: 3
        case .warning: 4
        case .notice: 5
        case .info: 6
        case .debug, .trace: 7
        }
    }
}
