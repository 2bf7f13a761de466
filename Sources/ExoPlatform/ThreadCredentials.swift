// What /proc/PID/task/TID/status says about one thread's identity: its uids, gids and
// effective capabilities. Pure parsing, so the rule "every thread dropped" is testable.

/// The identity lines of one thread's status file.
public struct ThreadCredentials: Equatable, Sendable {
    /// Real, effective, saved and filesystem uid (the `Uid:` line).
    public var uids: [UInt32]
    /// Real, effective, saved and filesystem gid (the `Gid:` line).
    public var gids: [UInt32]
    /// Effective capability set (`CapEff:`, hexadecimal).
    public var effectiveCapabilities: UInt64

    public init(uids: [UInt32], gids: [UInt32], effectiveCapabilities: UInt64) {
        self.uids = uids
        self.gids = gids
        self.effectiveCapabilities = effectiveCapabilities
    }

    /// Parses a status file's text; nil when a line is missing or malformed.
    public init?(status: String) {
        var uids: [UInt32]?
        var gids: [UInt32]?
        var capabilities: UInt64?
        for line in status.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let key = fields.first else { continue }
            let values = fields.dropFirst()
            switch key {
            case "Uid:": uids = values.compactMap { UInt32($0) }
            case "Gid:": gids = values.compactMap { UInt32($0) }
            case "CapEff:": capabilities = values.first.flatMap { UInt64($0, radix: 16) }
            default: continue
            }
        }
        guard let uids, uids.count == 4, let gids, gids.count == 4, let capabilities else { return nil }
        self.init(uids: uids, gids: gids, effectiveCapabilities: capabilities)
    }

    /// True when every uid is `uid`, every gid is `gid` and — unless the target is root,
    /// whose ids keep their capabilities — no capability is effective.
    public func isDropped(toUID uid: UInt32, gid: UInt32) -> Bool {
        uids.allSatisfy { $0 == uid } && gids.allSatisfy { $0 == gid } && (uid == 0 || effectiveCapabilities == 0)
    }

    public var summary: String {
        "Uid \(uids.map(String.init).joined(separator: " ")), Gid \(gids.map(String.init).joined(separator: " ")), "
            + "CapEff \(String(effectiveCapabilities, radix: 16))"
    }
}
