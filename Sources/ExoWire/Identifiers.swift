// Names of the things the control protocol talks about: frames, tenants, sessions,
// holdings and the rights a holding carries. Plain integers on the wire.

/// Index of a physical frame in the daemon's pool, `0..<poolFrames`.
public typealias FrameNumber = UInt32
/// Index of a configured tenant (its position in the configuration's tenant list).
public typealias TenantID = UInt32
/// Daemon-unique id of one attached session; never reused within a daemon run.
public typealias SessionID = UInt64
/// Daemon-unique id of one holding (a session's claim on a frame); never reused within a run.
public typealias HoldingID = UInt64

/// What a holding lets its holder do with a frame. One byte on the wire.
public struct Rights: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let read = Rights(rawValue: 1 << 0)
    public static let write = Rights(rawValue: 1 << 1)
    /// May derive tokens (grants) for other tenants, with rights no wider than its own.
    public static let grant = Rights(rawValue: 1 << 2)

    /// What an allocation gives its allocator.
    public static let owner: Rights = [.read, .write, .grant]
    /// Bits with a meaning; any other bit in a wire value is malformed.
    public static let all: Rights = [.read, .write, .grant]

    /// Valid holdings can read; write implies read (a frame is mapped, never write-only).
    public var isWellFormed: Bool {
        rawValue & ~Rights.all.rawValue == 0 && contains(.read)
    }

    public var description: String {
        (contains(.read) ? "r" : "-") + (contains(.write) ? "w" : "-") + (contains(.grant) ? "g" : "-")
    }
}
