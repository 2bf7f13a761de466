// Per-frame state for frames 0..<count: generation, holders and in-flight references, plus
// the free map. A frame is free exactly when it has no holder and no in-flight reference.
import ExoWire

/// The frame table. Invariant: `free.isFree(f)` ⇔ `holders[f].isEmpty && inFlight[f] == 0`,
/// except between `claim` and the first `addHolder` inside one arbiter operation.
struct FrameTable {
    /// Frames are numbered `0..<count`.
    let count: UInt32
    private var generations: [UInt64]
    /// Live holding ids per frame, in creation (= id) order.
    private var holderIDs: [[HoldingID]]
    private var inFlightRefs: [UInt32]
    private(set) var free: FreeMap

    init(count: UInt32) {
        self.count = count
        generations = Array(repeating: 0, count: Int(count))
        holderIDs = Array(repeating: [], count: Int(count))
        inFlightRefs = Array(repeating: 0, count: Int(count))
        free = FreeMap(frameCount: count)
    }

    func contains(_ frame: FrameNumber) -> Bool { frame < count }
    func isFree(_ frame: FrameNumber) -> Bool { free.isFree(frame) }
    func generation(_ frame: FrameNumber) -> UInt64 { generations[Int(frame)] }
    func holders(_ frame: FrameNumber) -> [HoldingID] { holderIDs[Int(frame)] }
    func inFlight(_ frame: FrameNumber) -> UInt32 { inFlightRefs[Int(frame)] }

    /// The lowest `wanted` free frames, or nil if fewer are free. Changes no frame's state.
    mutating func lowestFree(_ wanted: Int) -> [FrameNumber]? { free.lowestFree(wanted) }

    /// Moves a free frame to allocated and returns its new generation. The caller adds a
    /// holder in the same operation.
    mutating func claim(_ frame: FrameNumber) -> UInt64 {
        free.take(frame)
        generations[Int(frame)] += 1
        return generations[Int(frame)]
    }

    mutating func addHolder(_ id: HoldingID, to frame: FrameNumber) {
        holderIDs[Int(frame)].append(id)
    }

    /// Removes a holder; returns true if the frame became free.
    mutating func removeHolder(_ id: HoldingID, from frame: FrameNumber) -> Bool {
        holderIDs[Int(frame)].removeAll { $0 == id }
        return freeIfUnused(frame)
    }

    mutating func addInFlight(_ frame: FrameNumber) {
        inFlightRefs[Int(frame)] += 1
    }

    /// Drops `refs` in-flight references; returns true if the frame became free.
    mutating func removeInFlight(_ frame: FrameNumber, refs: UInt32 = 1) -> Bool {
        inFlightRefs[Int(frame)] -= refs
        return freeIfUnused(frame)
    }

    private mutating func freeIfUnused(_ frame: FrameNumber) -> Bool {
        guard holderIDs[Int(frame)].isEmpty, inFlightRefs[Int(frame)] == 0, !free.isFree(frame) else { return false }
        free.release(frame)
        return true
    }

    /// `.outOfRange` unless every frame of `batch` is in the pool.
    func checkInRange(_ batch: [FrameNumber]) throws(ExoError) {
        for frame in batch where !contains(frame) { throw .outOfRange }
    }

    /// `.alreadyAllocated` unless every frame of `batch` is free and named once.
    func checkFreeAndDistinct(_ batch: [FrameNumber]) throws(ExoError) {
        var seen = Set<FrameNumber>(minimumCapacity: batch.count)
        for frame in batch {
            guard isFree(frame), seen.insert(frame).inserted else { throw .alreadyAllocated }
        }
    }

    /// Allocated frames numbered `cursor` or above, ascending, at most `limit`, each with its
    /// holders (`holding` looks them up); with a tenant, only frames one of its sessions holds.
    /// `next`: the first further matching frame, or nil. O(pool) at worst: a listing.
    func states(tenant: TenantID?, from cursor: FrameNumber, limit: Int, holding: (HoldingID) -> Holding?)
        -> (entries: [FrameState], next: FrameNumber?)
    {
        var entries: [FrameState] = []
        var frame = cursor
        while frame < count {
            defer { frame += 1 }
            guard !isFree(frame) else { continue }
            let holders = holders(frame).compactMap(holding)
            if let tenant, !holders.contains(where: { $0.tenant == tenant }) { continue }
            if entries.count >= limit { return (entries, frame) }
            entries.append(FrameState(frame: frame, epoch: generation(frame), inFlight: inFlight(frame), holders: holders))
        }
        return (entries, nil)
    }
}
