// The abort protocol's choice: which of a tenant's frames to take when it did not give back
// enough by the deadline. Frames that can be taken at once, and whose taking hurts nobody
// else, go first.
import ExoWire

/// One of the tenant's holdings the abort protocol may take.
public struct RepossessionCandidate: Sendable, Equatable {
    public let frame: FrameNumber
    public let holding: HoldingID
    /// On one of the tenant's rings: it cannot be taken until it comes back.
    public let inFlight: Bool
    /// Another session holds the frame too: taking this holding leaves the frame allocated,
    /// and the memory must be moved before the taken holder's mapping stops reaching it.
    public let shared: Bool

    public init(frame: FrameNumber, holding: HoldingID, inFlight: Bool, shared: Bool) {
        self.frame = frame
        self.holding = holding
        self.inFlight = inFlight
        self.shared = shared
    }
}

/// The frames the abort protocol takes now and those it condemns (takes when they come back).
public struct RepossessionChoice: Sendable, Equatable {
    /// Taken at once: not in flight.
    public var take: [RepossessionCandidate] = []
    /// In flight: taken when the data path hands them back instead of returning them.
    public var condemn: [RepossessionCandidate] = []

    public init(take: [RepossessionCandidate] = [], condemn: [RepossessionCandidate] = []) {
        self.take = take
        self.condemn = condemn
    }

    /// Chooses `count` of `candidates` (all of them when there are fewer): those not in
    /// flight before those in flight (taking one needs no coordination with the data path),
    /// frames nobody else holds before shared ones (no memory to move), and among equals the
    /// newest holding first (the oldest are likeliest to be the tenant's working set, as
    /// ring buffers allocated at start-up). The order is total, so the choice is repeatable.
    public static func choose(_ count: Int, from candidates: [RepossessionCandidate]) -> RepossessionChoice {
        let ordered = candidates.sorted { a, b in
            if a.inFlight != b.inFlight { return !a.inFlight }
            if a.shared != b.shared { return !a.shared }
            return a.holding > b.holding
        }
        var choice = RepossessionChoice()
        for candidate in ordered.prefix(max(count, 0)) {
            if candidate.inFlight { choice.condemn.append(candidate) } else { choice.take.append(candidate) }
        }
        return choice
    }
}
