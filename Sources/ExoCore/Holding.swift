// A holding is one session's claim on one frame, with the rights it carries; the table
// hands out holding ids that are never reused within a run.
import ExoWire

/// One session's claim on one frame (Aegis `ae_p_add`'s record). A session holds a given
/// frame at most once. The value is a snapshot: it stays valid to read after the holding ends.
public struct Holding: Sendable, Equatable {
    /// Unique within a daemon run; never reused.
    public let id: HoldingID
    public let frame: FrameNumber
    /// The session that holds it; the holding ends when that session unrefs or closes.
    public let session: SessionID
    /// The session's tenant, whose quota this holding counts against.
    public let tenant: TenantID
    public let rights: Rights
    /// The frame's generation when the holding was made (bumped on each free → allocated).
    public let epoch: UInt64

    public init(id: HoldingID, frame: FrameNumber, session: SessionID, tenant: TenantID, rights: Rights, epoch: UInt64) {
        self.id = id
        self.frame = frame
        self.session = session
        self.tenant = tenant
        self.rights = rights
        self.epoch = epoch
    }
}

/// Every live holding by id. Ids start at 1 and only grow.
struct HoldingTable {
    private var byID: [HoldingID: Holding] = [:]
    private var lastID: HoldingID = 0

    var count: Int { byID.count }

    subscript(id: HoldingID) -> Holding? { byID[id] }

    /// Records a new holding under a fresh id and returns it.
    mutating func insert(frame: FrameNumber, session: SessionID, tenant: TenantID, rights: Rights, epoch: UInt64) -> Holding {
        lastID += 1
        let holding = Holding(id: lastID, frame: frame, session: session, tenant: tenant, rights: rights, epoch: epoch)
        byID[lastID] = holding
        return holding
    }

    /// Forgets a holding; returns it, or nil if it was not live.
    mutating func remove(_ id: HoldingID) -> Holding? {
        byID.removeValue(forKey: id)
    }
}
