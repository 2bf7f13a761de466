// Coalesces notices of changes another party causes (offers to a tenant): at most one notice
// per session is ever waiting to be read, however many changes happen meanwhile.

/// One session's notice state. A change makes a notice owed; the daemon sends it when the
/// session's queue has room and none is unacknowledged; the session acknowledges by asking
/// for the current state (listing its offers, or redeeming). Between a notice and its
/// acknowledgement further changes send nothing: the listing will show them.
public struct NoticeLatch: Sendable, Equatable {
    /// A change happened that no notice covers yet.
    public private(set) var owed = false
    /// A notice was sent and the session has not asked for the state since.
    public private(set) var unacknowledged = false

    public init() {}

    /// Something the notice is about changed.
    public mutating func changed() {
        if !unacknowledged { owed = true }
    }

    /// Whether to send a notice now; when true, the notice counts as sent. `hasRoom` says
    /// whether the session's outbound queue can take one more record without overflowing.
    public mutating func takeNotice(hasRoom: Bool) -> Bool {
        guard owed, !unacknowledged, hasRoom else { return false }
        owed = false
        unacknowledged = true
        return true
    }

    /// The session asked for the current state: the next change is worth a notice again.
    public mutating func acknowledge() {
        unacknowledged = false
    }
}
