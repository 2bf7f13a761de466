// The data path's references to frames on rings: while a frame is in flight for a session
// it cannot be unreffed and cannot become free, and a frame on one ring is admitted to no
// other, so every frame comes back exactly once. A view of the arbiter's tables with no state
// of its own, reached as `arbiter.inFlight`.
import ExoWire

/// In-flight references, as the data path takes and drops them (one thread: the arbiter's).
public struct InFlightReferences {
    /// Unowned and unretained: the view lives for one call (`arbiter.inFlight.admit(...)`), so
    /// the packet path pays no reference count for it.
    unowned(unsafe) let arbiter: Arbiter

    /// Records one in-flight reference (a frame posted on one of the session's rings).
    /// While the session has any, it cannot unref the frame and the frame cannot become free.
    /// `.outOfRange`, `.notHolder`; `.frameInFlight` if the count would overflow.
    public func add(session: SessionID, frame: FrameNumber) throws(ExoError) {
        _ = try arbiter.tenantOf(session)
        guard arbiter.frames.contains(frame) else { throw .outOfRange }
        guard arbiter.sessions.holding(session, frame: frame) != nil else { throw .notHolder }
        let refs = arbiter.sessions.inFlight(session, frame: frame)
        guard refs < UInt32.max else { throw .frameInFlight }
        arbiter.sessions.setInFlight(session, frame: frame, refs: refs + 1)
        arbiter.frames.addInFlight(frame)
    }

    /// Drops one in-flight reference the session has on `frame` (the daemon handed the frame
    /// back). Does nothing if the session is closed (closing dropped its references) or has
    /// none on that frame. Lists the frame as freed if that was the last thing keeping it.
    public func remove(session: SessionID, frame: FrameNumber) -> Released {
        guard arbiter.sessions.removeInFlight(session, frame: frame) else { return Released() }
        return arbiter.frames.removeInFlight(frame) ? Released(freedFrames: [frame]) : Released()
    }

    /// The data path's admission of a frame a tenant posted on a ring: if `session` holds
    /// `frame` with the write right and the frame is in flight nowhere (on no ring of any
    /// session), records one in-flight reference and returns `.admitted`; otherwise changes
    /// nothing. A frame the session does not hold writable is `.notHeldWritable` whether or
    /// not it is in flight elsewhere, so nobody learns anything about frames it does not hold.
    /// One lookup of the session's record (the daemon asks once per posted descriptor).
    public func admit(session: SessionID, frame: FrameNumber) -> InFlightAdmission {
        guard arbiter.frames.contains(frame) else { return .notHeldWritable }
        var heldWritable = false
        let added = arbiter.sessions.addInFlight(session, frame: frame) { holding in
            heldWritable = arbiter.holdingTable[holding]?.rights.contains(.write) == true
            return heldWritable && arbiter.frames.inFlight(frame) == 0
        }
        guard added else { return heldWritable ? .alreadyInFlight : .notHeldWritable }
        arbiter.frames.addInFlight(frame)
        return .admitted
    }
}

extension Arbiter {
    /// The data path's in-flight references to this arbiter's frames.
    public var inFlight: InFlightReferences { InFlightReferences(arbiter: self) }
}
