// What revocation did over the daemon's run, for the metrics: revocations started by reason,
// ended by how, and holdings the abort protocol took. Counted where the book and the revoker
// change anyway (a revocation is rare; nothing here is on the packet path).

/// Counters of revocations. Ids are never reused, so the counters only grow.
public struct RevocationTally: Sendable, Equatable {
    /// How a revocation left the book.
    public enum Ending: Int, Sendable, CaseIterable {
        /// The tenant gave back what was asked (`RevocationBook.settle`).
        case returned
        /// Its deadline passed: the abort protocol took over (`RevocationBook.due`), whatever
        /// it then found to take.
        case repossessed
        /// Its tenant went away first (last session ended, or a reload removed it).
        case tenantGone

        /// The metric label.
        public var name: String {
            switch self {
            case .returned: "returned"
            case .repossessed: "repossessed"
            case .tenantGone: "tenantGone"
            }
        }
    }

    /// Started, by `RevocationReason.rawValue - 1`. A pending count revocation tightened by a
    /// second request keeps its id and is not started again.
    private var startedByReason: [UInt64] = Array(repeating: 0, count: RevocationReason.allCases.count)
    private var endedByEnding: [UInt64] = Array(repeating: 0, count: Ending.allCases.count)
    /// Holdings the abort protocol ended: at a deadline, or as a condemned frame came back
    /// from a ring.
    public private(set) var holdingsRepossessed: UInt64 = 0

    public init() {}

    public func started(_ reason: RevocationReason) -> UInt64 { startedByReason[Int(reason.rawValue) - 1] }
    public func ended(_ ending: Ending) -> UInt64 { endedByEnding[ending.rawValue] }

    mutating func countStarted(_ reason: RevocationReason) { startedByReason[Int(reason.rawValue) - 1] += 1 }
    mutating func countEnded(_ ending: Ending, _ count: Int) { endedByEnding[ending.rawValue] += UInt64(count) }
    mutating func countRepossessed(_ count: Int) { holdingsRepossessed += UInt64(count) }
}

extension RevocationReason {
    /// The metric label (the case's name, as docs/PROTOCOL.md §12 describes the reasons).
    public var name: String {
        switch self {
        case .poolLow: "poolLow"
        case .operatorRequest: "operatorRequest"
        case .quotaReduced: "quotaReduced"
        case .grantRevoked: "grantRevoked"
        }
    }
}
