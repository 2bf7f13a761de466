// The levels `daemon.log_level` and `exokerneld --log-level` take: swift-log's level names.

import Logging

public enum LogLevelSetting {
    /// The names, most severe first, as errors list them.
    public static let names = "critical, error, warning, notice, info, debug or trace"

    /// The level a name means; nil for anything else.
    public static func level(named name: String) -> Logger.Level? {
        Logger.Level(rawValue: name)
    }

    /// The level `key` of `section` names (nil when absent), or the error saying what is allowed.
    static func decode(_ key: String, in section: TOMLSection) throws(ConfigError) -> Logger.Level? {
        guard let text = try section.string(key) else { return nil }
        guard let level = level(named: text) else { throw section.error(key, "'\(text)' is not a level: \(names)") }
        return level
    }
}
