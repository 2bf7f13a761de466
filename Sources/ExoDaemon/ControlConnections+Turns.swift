// Fair service of control requests (docs/SECURITY.md, "Fairness"): the loop serves the data
// path first, then each owner with requests waiting gets one turn — at most
// `requestsPerTurn` requests, one per session in turn, while its time bucket is positive —
// and the data path is looked at again after every turn. What a flooding tenant sends beyond
// its turn waits in its own sockets, not in front of another tenant's packets or requests.

import ExoPlatform

extension ControlConnections {
    /// Who `session`'s requests are charged to.
    static func owner(of session: ControlSession) -> ControlTurns.Owner {
        if case .tenant(let tenant, _) = session.role { return .tenant(tenant) }
        return .peer(uid: session.credentials.uid)
    }

    /// Serves one turn of every owner with requests waiting and time left, in turn order,
    /// with `betweenTurns` (the data path's turn) after each.
    func serveTurns(betweenTurns: () -> Void) {
        guard !turns.isEmpty else { return }
        for owner in turns.order {
            guard turns.mayServe(owner, now: MonotonicClock.nanoseconds()) else { continue }
            serveTurn(of: owner)
            turns.endTurn(of: owner)
            betweenTurns()
        }
    }

    /// Up to `requestsPerTurn` requests of `owner`, one per waiting session in turn, each
    /// timed and charged; the turn ends early once the owner's bucket is spent.
    private func serveTurn(of owner: ControlTurns.Owner) {
        for _ in 0..<turns.budget.requestsPerTurn {
            guard let id = turns.nextSession(of: owner) else { return }
            guard let session = sessions[id] else {
                turns.markDone(id, now: MonotonicClock.nanoseconds())
                continue
            }
            let start = MonotonicClock.nanoseconds()
            let (more, served) = serveOneRecord(session)
            let end = MonotonicClock.nanoseconds()
            turns.charge(owner, nanoseconds: end &- start)
            if let served { requestTally.record(served, nanoseconds: end &- start) }
            if !more {
                turns.markDone(id, now: end)
            } else if sessions.isLive(id), Self.owner(of: session) != owner {
                // The hello attached it: from now on its requests are its tenant's.
                turns.markWaiting(id, owner: Self.owner(of: session))
            }
            if !turns.mayServe(owner, now: end) { return }
        }
    }
}
