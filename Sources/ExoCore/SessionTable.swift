// Open sessions: which tenant each belongs to, which frames it holds (at most one holding
// per frame) and how many references it has in flight on its rings, per frame.
import ExoWire

/// One open session. A class, so the table's dictionary is only ever read (one probe and a
/// retain) and the record's own maps are updated through the reference: a `Dictionary`'s
/// in-place `_modify` of a struct value allocates a coroutine frame, which put a `malloc`
/// and a `free` on the data path for every frame taken from and handed back to a ring.
final class SessionRecord {
    let tenant: TenantID
    /// The session's holding of each frame it holds.
    var holdings: [FrameNumber: HoldingID] = [:]
    /// In-flight references per frame; absent means zero.
    var inFlight: [FrameNumber: UInt32] = [:]

    init(tenant: TenantID) { self.tenant = tenant }

    /// If this session holds `frame` and `allowed` accepts its holding, adds one in-flight
    /// reference and returns true (false at the count's limit); otherwise changes nothing.
    func addInFlight(_ frame: FrameNumber, if allowed: (HoldingID) -> Bool) -> Bool {
        guard let holding = holdings[frame], allowed(holding) else { return false }
        let refs = inFlight[frame] ?? 0
        guard refs < UInt32.max else { return false }
        inFlight[frame] = refs + 1
        return true
    }

    /// Drops one in-flight reference on `frame`; false if there was none.
    func removeInFlight(_ frame: FrameNumber) -> Bool {
        guard let refs = inFlight[frame] else { return false }
        inFlight[frame] = refs > 1 ? refs - 1 : nil
        return true
    }
}

/// Sessions by id. Ids start at 1 and are never reused.
struct SessionTable {
    private var records: [SessionID: SessionRecord] = [:]
    private var lastID: SessionID = 0

    var count: Int { records.count }

    subscript(id: SessionID) -> SessionRecord? { records[id] }

    mutating func open(tenant: TenantID) -> SessionID {
        let id = issueID()
        records[id] = SessionRecord(tenant: tenant)
        return id
    }

    /// The next id, drawn from the same sequence as tenant sessions' but with no record: an
    /// operator session holds nothing, yet its id must not repeat either.
    mutating func issueID() -> SessionID {
        lastID += 1
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

    func setHolding(_ id: SessionID, frame: FrameNumber, holding: HoldingID?) {
        records[id]?.holdings[frame] = holding
    }

    /// `SessionRecord.addInFlight` on session `id`'s record, modified in place (one lookup).
    func addInFlight(_ id: SessionID, frame: FrameNumber, if allowed: (HoldingID) -> Bool) -> Bool {
        records[id]?.addInFlight(frame, if: allowed) ?? false
    }

    /// `SessionRecord.removeInFlight` on session `id`'s record, modified in place.
    func removeInFlight(_ id: SessionID, frame: FrameNumber) -> Bool {
        records[id]?.removeInFlight(frame) ?? false
    }

    func setInFlight(_ id: SessionID, frame: FrameNumber, refs: UInt32) {
        records[id]?.inFlight[frame] = refs == 0 ? nil : refs
    }

    /// The open sessions of `tenant`, by ascending id.
    func sessions(of tenant: TenantID) -> [(id: SessionID, record: SessionRecord)] {
        records.filter { $0.value.tenant == tenant }.map { ($0.key, $0.value) }.sorted { $0.id < $1.id }
    }

    /// `.notHolder` unless `session` holds every frame of `batch`, each named once.
    func checkHolds(_ session: SessionID, _ batch: [FrameNumber]) throws(ExoError) {
        var seen = Set<FrameNumber>(minimumCapacity: batch.count)
        for frame in batch {
            guard holding(session, frame: frame) != nil, seen.insert(frame).inserted else { throw .notHolder }
        }
    }

    /// The session's holdings by ascending frame number (`holding` looks each up); empty if
    /// the session is not open.
    func holdings(of session: SessionID, holding: (HoldingID) -> Holding?) -> [Holding] {
        guard let record = records[session] else { return [] }
        return record.holdings.keys.sorted().compactMap { frame in record.holdings[frame].flatMap(holding) }
    }
}
