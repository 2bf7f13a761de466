// Seeded random operations over several tenants and sessions, each compared with the naive
// model, and the arbiter's invariants checked after every single operation.
import ExoCore
import ExoWire
import Testing

/// SplitMix64: a tiny seeded generator so a failing seed replays exactly.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct ArbiterPropertyTests {
    static let frameCount: UInt32 = 24
    static let tenants = [
        TenantSpec(id: 0, name: "a", frameQuota: 6),
        TenantSpec(id: 1, name: "b", frameQuota: 10),
        TenantSpec(id: 2, name: "c", frameQuota: 3),
    ]

    /// One run: the arbiter, the model, and every token ever issued (to replay stale ones).
    struct Run {
        var rng: SplitMix64
        let arbiter = Arbiter(frameCount: frameCount, tenants: tenants, tokenKey: Fixture.key, runID: 7)
        var model = ArbiterModel(frameCount: frameCount, tenants: tenants)
        var issued: [(id: UInt64, bytes: [UInt8], audience: TenantID)] = []
        var everOpened: [SessionID] = []
        var outcomes: [String: Int] = [:]

        init(seed: UInt64) { rng = SplitMix64(state: seed) }

        mutating func pick<T>(_ options: [T]) -> T { options[Int(rng.next() % UInt64(options.count))] }
        mutating func chance(_ percent: UInt64) -> Bool { rng.next() % 100 < percent }
        mutating func frame() -> FrameNumber { FrameNumber(rng.next() % UInt64(frameCount + 2)) }
        mutating func session() -> SessionID {
            if everOpened.isEmpty || chance(3) { return 10_000 + rng.next() % 10 }
            let open = everOpened.filter { model.sessions[$0] != nil }
            return open.isEmpty || chance(5) ? pick(everOpened) : pick(open)
        }
        /// Usually an open session that holds something (so grants and unrefs can succeed).
        mutating func holderSession() -> SessionID {
            let holders = model.sessions.keys.filter { !model.frames(of: $0).isEmpty }.sorted()
            return holders.isEmpty || chance(20) ? session() : pick(holders)
        }
        /// Usually an open session of `tenant` (so redeems can succeed).
        mutating func sessionOf(_ tenant: TenantID) -> SessionID {
            let candidates = model.sessions.filter { $0.value == tenant }.keys.sorted()
            return candidates.isEmpty || chance(25) ? session() : pick(candidates)
        }
        mutating func batch() -> [FrameNumber] { (0..<Int(rng.next() % 4)).map { _ in frame() } }
        mutating func note(_ outcome: String) { outcomes[outcome, default: 0] += 1 }
    }

    @Test(arguments: [1, 2, 3, 0xDEAD_BEEF] as [UInt64])
    func randomOperationsAgreeWithTheModelAndKeepTheInvariants(seed: UInt64) throws {
        var run = Run(seed: seed)
        for step in 0..<4_000 {
            try Self.randomStep(&run)
            Self.checkInvariants(run, step: step)
        }
        // The run exercised successes and refusals alike (so the comparison meant something).
        for outcome in ["allocate ok", "allocate refused", "unref ok", "unref refused", "grant ok",
                        "grant refused", "redeem ok", "redeem refused", "close freed"] {
            #expect(run.outcomes[outcome, default: 0] > 10, "\(outcome): \(run.outcomes)")
        }
    }

    static func randomStep(_ run: inout Run) throws {
        let a = run.arbiter
        switch run.rng.next() % 20 {
        case 0, 1:
            let tenant = run.pick([0, 1, 2, 1] as [TenantID])
            let session = a.openSession(tenant: tenant)
            #expect(!run.everOpened.contains(session))
            run.everOpened.append(session)
            run.model.open(session, tenant: tenant)
        case 2:
            let session = run.holderSession()
            let expected = run.model.close(session)
            let released = a.closeSession(session)
            expectRelease(released, expected)
            #expect(a.holdings(of: session).isEmpty)
            if !expected.freed.isEmpty { run.note("close freed") }
        case 3, 4, 5:
            let (session, batch) = (run.session(), run.batch())
            let expected = run.model.allocate(session, batch)
            compareAllocation(expected, refusalOrValue { try a.allocate(session: session, frames: batch) }, run, session, &run.outcomes)
        case 6:
            let (session, count) = (run.session(), UInt32(run.rng.next() % 4))
            let expected = run.model.allocateAny(session, Int(count))
            compareAllocation(expected, refusalOrValue { try a.allocateAny(session: session, count: count) }, run, session, &run.outcomes)
        case 7, 8, 9:
            let session = run.holderSession()
            let held = run.model.sessions[session] == nil ? [] : run.model.frames(of: session)
            let batch = held.isEmpty || run.chance(30) ? run.batch() : Array(held.shuffled(using: &run.rng).prefix(2))
            let expected = run.model.unref(session, batch)
            let actual = refusalOrValue { try a.unref(session: session, frames: batch) }
            compare(expected, actual, "unref", &run.outcomes) { expectRelease($1, $0) }
        case 10:
            let (session, batch) = (run.session(), run.batch())
            let expected = run.model.authorizeMap(session, batch)
            let actual = refusalOrValue { try a.authorizeMap(session: session, frames: batch) }
            compare(expected, actual, "map", &run.outcomes) { rights, holdings in
                #expect(holdings.map(\.rights) == rights && holdings.map(\.frame) == batch)
            }
        case 11, 12, 13:
            let session = run.holderSession()
            let held = run.model.sessions[session] == nil ? [] : run.model.frames(of: session)
            let frame = held.isEmpty || run.chance(20) ? run.frame() : run.pick(held)
            let rights = Rights(rawValue: run.pick([1, 1, 3, 3, 5, 7, 2, 0, 8] as [UInt8]))
            let audience = run.pick([0, 1, 2, 2, 9] as [TenantID])
            let expected = run.model.checkGrant(session, frame, rights, audience)
            let actual = refusalOrValue { try a.grant(session: session, frame: frame, rights: rights, audience: audience) }
            switch (expected, actual) {
            case (nil, .success(let token)):
                #expect(!run.issued.contains { $0.id == token.info.tokenID })
                run.model.recordGrant(session, frame, rights, audience, id: token.info.tokenID, bytes: token.bytes)
                run.issued.append((token.info.tokenID, token.bytes, audience))
                run.note("grant ok")
            case (let error?, .failure(let refused)):
                #expect(error == refused)
                run.note("grant refused")
            default:
                Issue.record("grant: model \(String(describing: expected)) arbiter \(actual)")
            }
        case 14, 15, 16:
            guard !run.issued.isEmpty else { return }
            let live = run.issued.filter { run.model.tokens[$0.id] != nil }
            let token = live.isEmpty || run.chance(40) ? run.pick(run.issued) : run.pick(live)
            let session = run.sessionOf(token.audience)
            var bytes = token.bytes
            let forged = run.chance(10)
            if forged { bytes[Int(run.rng.next() % UInt64(bytes.count))] ^= UInt8(1 + run.rng.next() % 255) }
            let expected = run.model.redeem(session, id: forged ? nil : token.id, audience: token.audience)
            let actual = refusalOrValue { try a.redeem(session: session, token: bytes) }
            compare(expected, actual, "redeem", &run.outcomes) { frame, holding in
                #expect(holding.frame == frame && holding.session == session)
                #expect(holding.epoch == run.model.generation[frame])
            }
        case 17, 18:
            let session = run.session()
            let held = run.model.sessions[session] == nil ? [] : run.model.frames(of: session)
            let frame = held.isEmpty || run.chance(20) ? run.frame() : run.pick(held)
            if run.chance(50) {
                // The data path's one-call admission: held with write, and in flight nowhere.
                let writable = run.model.sessions[session] != nil
                    && run.model.holding(session, frame)?.rights.contains(.write) == true
                let expected: InFlightAdmission =
                    !writable ? .notHeldWritable : run.model.inFlightTotal(frame) > 0 ? .alreadyInFlight : .admitted
                if expected == .admitted { #expect(run.model.addInFlight(session, frame) == nil) }
                #expect(a.inFlight.admit(session: session, frame: frame) == expected, "admitInFlight")
            } else {
                let expected = run.model.addInFlight(session, frame)
                let actual = refusalOrValue { try a.inFlight.add(session: session, frame: frame) }
                #expect(expected == actual.refusal, "addInFlight")
            }
        default:
            let session = run.session()
            let pinned = run.model.inFlight[session].map { Array($0.keys) } ?? []
            let frame = pinned.isEmpty || run.chance(20) ? run.frame() : run.pick(pinned)
            expectRelease(a.inFlight.remove(session: session, frame: frame), run.model.removeInFlight(session, frame))
        }
    }

    static func checkInvariants(_ run: Run, step: Int) {
        let (a, model) = (run.arbiter, run.model)
        #expect(a.freeFrameCount == UInt32(model.freeFrames.count), "step \(step)")
        #expect(a.holdingCount == model.holdingCount, "step \(step)")
        #expect(a.outstandingTokenCount == model.tokens.count, "step \(step)")
        #expect(a.sessionCount == model.sessions.count, "step \(step)")
        let states = a.frameStates(tenant: nil, from: 0, limit: Int(frameCount)).entries
        #expect(states.map(\.frame) == (0..<frameCount).filter { !model.isFree($0) }, "step \(step)")
        for state in states {
            #expect(!state.holders.isEmpty || state.inFlight > 0, "frame \(state.frame) allocated but unused")
            #expect(Int(state.inFlight) == model.inFlightTotal(state.frame))
            #expect(state.epoch == model.generation[state.frame])
        }
        for tenant in tenants {
            let usage = a.usage(of: tenant.id)
            #expect(usage.framesHeld <= tenant.frameQuota)
            #expect(Int(usage.framesHeld) == model.held(by: tenant.id))
            #expect(Int(usage.sessions) == model.sessionCount(of: tenant.id))
        }
        for session in model.sessions.keys {
            let frames = a.holdings(of: session).map(\.frame)
            #expect(Set(frames).count == frames.count, "session \(session) holds a frame twice")
            #expect(frames == model.frames(of: session))
        }
    }
}

/// A call's value or its `ExoError`.
func refusalOrValue<T>(_ body: () throws -> T) -> Result<T, ExoError> {
    do {
        return .success(try body())
    } catch {
        return .failure(error as? ExoError ?? .internalError)
    }
}

extension Result {
    var refusal: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

func expectRelease(_ released: Released, _ expected: ModelRelease) {
    #expect(released.freedFrames == expected.freed, "freed frames")
    #expect(released.revokedTokens.map(\.tokenID) == expected.revoked, "revoked tokens")
}

func compare<E, A>(
    _ expected: Result<E, ExoError>, _ actual: Result<A, ExoError>, _ name: String,
    _ outcomes: inout [String: Int], values: (E, A) -> Void
) {
    switch (expected, actual) {
    case (.success(let e), .success(let a)):
        values(e, a)
        outcomes["\(name) ok", default: 0] += 1
    case (.failure(let e), .failure(let a)):
        #expect(e == a, "\(name)")
        outcomes["\(name) refused", default: 0] += 1
    default:
        Issue.record("\(name): model \(expected) arbiter \(actual)")
    }
}

func compareAllocation(
    _ expected: Result<[FrameNumber], ExoError>, _ actual: Result<[Holding], ExoError>,
    _ run: ArbiterPropertyTests.Run, _ session: SessionID, _ outcomes: inout [String: Int]
) {
    compare(expected, actual, "allocate", &outcomes) { frames, holdings in
        #expect(holdings.map(\.frame) == frames)
        for holding in holdings {
            #expect(holding.rights == .owner && holding.session == session)
            #expect(holding.epoch == run.model.generation[holding.frame])
        }
    }
}
