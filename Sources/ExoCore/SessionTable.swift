// Open sessions: which tenant each belongs to, which frames it holds (at most one holding
// per frame) and how many references it has in flight on its rings, per frame.
import ExoWire

/// One open session.
struct SessionRecord {
    let tenant: TenantID
    /// The session's holding of each frame it holds.
    var holdings: [FrameNumber: HoldingID] = [:]
    /// In-flight references per frame; absent means zero.
    var inFlight: [FrameNumber: UInt32] = [:]
}

/// Sessions by id. Ids start at 1 and are never reused.
struct SessionTable {
    private var records: [SessionID: SessionRecord] = [:]
    private var lastID: SessionID = 0

    var count: Int { records.count }

    subscript(id: SessionID) -> SessionRecord? { records[id] }

    mutating func open(tenant: TenantID) -> SessionID {
        lastID += 1
        records[lastID] = SessionRecord(tenant: tenant)
        return lastID
    }

    /// Removes the session and returns what it had, or nil if it was not open.
    mutating func close(_ id: SessionID) -> SessionRecord? {
        records.removeValue(forKey: id)
    }

    func holding(_ id: SessionID, frame: FrameNumber) -> HoldingID? {
        records[id]?.holdings[frame]
    }

    func inFlight(_ id: SessionID, frame: FrameNumber) -> UInt32 {
        records[id]?.inFlight[frame] ?? 0
    }

    mutating func setHolding(_ id: SessionID, frame: FrameNumber, holding: HoldingID?) {
        records[id]?.holdings[frame] = holding
    }

    mutating func setInFlight(_ id: SessionID, frame: FrameNumber, refs: UInt32) {
        records[id]?.inFlight[frame] = refs == 0 ? nil : refs
    }
}
