// An independent, deliberately naive model of the arbiter's rules for the property test:
// plain dictionaries, linear scans, no shared code with ExoCore beyond the public types.
import ExoCore
import ExoWire

/// What the model expects a frame-releasing operation to report.
struct ModelRelease: Equatable {
    var freed: [FrameNumber] = []
    var revoked: [UInt64] = []
}

struct ModelHolding {
    let serial: Int
    let tenant: TenantID
    let rights: Rights
    let epoch: UInt64
}

struct ModelToken {
    let bytes: [UInt8]
    let frame: FrameNumber
    let rights: Rights
    let audience: TenantID
    let issuerSerial: Int
}

struct ArbiterModel {
    let frameCount: UInt32
    let quotas: [TenantID: UInt32]
    private(set) var sessions: [SessionID: TenantID] = [:]
    /// frame → session → holding. A session appears at most once per frame by construction.
    private(set) var holdings: [FrameNumber: [SessionID: ModelHolding]] = [:]
    private(set) var inFlight: [SessionID: [FrameNumber: Int]] = [:]
    /// Outstanding tokens by the id the arbiter gave them.
    private(set) var tokens: [UInt64: ModelToken] = [:]
    private(set) var generation: [FrameNumber: UInt64] = [:]
    private var lastSerial = 0

    init(frameCount: UInt32, tenants: [TenantSpec]) {
        self.frameCount = frameCount
        quotas = Dictionary(uniqueKeysWithValues: tenants.map { ($0.id, $0.frameQuota) })
    }

    // MARK: Derived facts

    func inFlightTotal(_ frame: FrameNumber) -> Int { inFlight.values.reduce(0) { $0 + ($1[frame] ?? 0) } }
    func isFree(_ frame: FrameNumber) -> Bool { holdings[frame, default: [:]].isEmpty && inFlightTotal(frame) == 0 }
    var freeFrames: [FrameNumber] { (0..<frameCount).filter(isFree) }
    func held(by tenant: TenantID) -> Int { holdings.values.reduce(0) { $0 + $1.values.filter { $0.tenant == tenant }.count } }
    func sessionCount(of tenant: TenantID) -> Int { sessions.values.filter { $0 == tenant }.count }
    func frames(of session: SessionID) -> [FrameNumber] { holdings.keys.filter { holdings[$0]![session] != nil }.sorted() }
    func holding(_ session: SessionID, _ frame: FrameNumber) -> ModelHolding? { holdings[frame]?[session] }
    var holdingCount: Int { holdings.values.reduce(0) { $0 + $1.count } }

    // MARK: Operations: each predicts the outcome and changes the model only on success

    mutating func open(_ session: SessionID, tenant: TenantID) { sessions[session] = tenant }

    mutating func allocate(_ session: SessionID, _ batch: [FrameNumber]) -> Result<[FrameNumber], ExoError> {
        guard let tenant = sessions[session] else { return .failure(.notAttached) }
        if batch.contains(where: { $0 >= frameCount }) { return .failure(.outOfRange) }
        if Set(batch).count != batch.count || batch.contains(where: { !isFree($0) }) { return .failure(.alreadyAllocated) }
        if held(by: tenant) + batch.count > Int(quotas[tenant]!) { return .failure(.overQuota) }
        for frame in batch { claim(frame, session: session, tenant: tenant) }
        return .success(batch)
    }

    mutating func allocateAny(_ session: SessionID, _ count: Int) -> Result<[FrameNumber], ExoError> {
        guard let tenant = sessions[session] else { return .failure(.notAttached) }
        if held(by: tenant) + count > Int(quotas[tenant]!) { return .failure(.overQuota) }
        let free = freeFrames
        if free.count < count { return .failure(.poolExhausted) }
        for frame in free.prefix(count) { claim(frame, session: session, tenant: tenant) }
        return .success(Array(free.prefix(count)))
    }

    mutating func unref(_ session: SessionID, _ batch: [FrameNumber]) -> Result<ModelRelease, ExoError> {
        guard sessions[session] != nil else { return .failure(.notAttached) }
        if batch.contains(where: { $0 >= frameCount }) { return .failure(.outOfRange) }
        if Set(batch).count != batch.count || batch.contains(where: { holding(session, $0) == nil }) { return .failure(.notHolder) }
        if batch.contains(where: { inFlight[session]?[$0] ?? 0 > 0 }) { return .failure(.frameInFlight) }
        return .success(release { model in for frame in batch { model.end(session, frame) } })
    }

    func authorizeMap(_ session: SessionID, _ batch: [FrameNumber]) -> Result<[Rights], ExoError> {
        guard sessions[session] != nil else { return .failure(.notAttached) }
        if batch.contains(where: { $0 >= frameCount }) { return .failure(.outOfRange) }
        var rights: [Rights] = []
        for frame in batch {
            guard let held = holding(session, frame) else { return .failure(.notHolder) }
            rights.append(held.rights)
        }
        return .success(rights)
    }

    /// Validates a grant; on success the caller issues it and calls `recordGrant`.
    func checkGrant(_ session: SessionID, _ frame: FrameNumber, _ rights: Rights, _ audience: TenantID) -> ExoError? {
        guard sessions[session] != nil else { return .notAttached }
        if frame >= frameCount { return .outOfRange }
        guard let held = holding(session, frame) else { return .notHolder }
        if !held.rights.contains(.grant) { return .noGrantRight }
        if !rights.isWellFormed || !held.rights.isSuperset(of: rights) { return .rightsExceeded }
        if quotas[audience] == nil { return .unknownTenant }
        return nil
    }

    mutating func recordGrant(_ session: SessionID, _ frame: FrameNumber, _ rights: Rights, _ audience: TenantID, id: UInt64, bytes: [UInt8]) {
        tokens[id] = ModelToken(bytes: bytes, frame: frame, rights: rights, audience: audience, issuerSerial: holding(session, frame)!.serial)
    }

    /// `id` is the token's id if the bytes are a token the arbiter issued, nil if forged.
    mutating func redeem(_ session: SessionID, id: UInt64?, audience: TenantID) -> Result<FrameNumber, ExoError> {
        guard let tenant = sessions[session] else { return .failure(.notAttached) }
        guard let id else { return .failure(.invalidToken) }
        if audience != tenant { return .failure(.notAudience) }
        guard let token = tokens[id] else { return .failure(.tokenRevoked) }
        if holding(session, token.frame) != nil { return .failure(.alreadyHolder) }
        if held(by: tenant) + 1 > Int(quotas[tenant]!) { return .failure(.overQuota) }
        tokens[id] = nil
        lastSerial += 1
        holdings[token.frame, default: [:]][session] = ModelHolding(
            serial: lastSerial, tenant: tenant, rights: token.rights, epoch: generation[token.frame]!)
        return .success(token.frame)
    }

    mutating func addInFlight(_ session: SessionID, _ frame: FrameNumber) -> ExoError? {
        guard sessions[session] != nil else { return .notAttached }
        if frame >= frameCount { return .outOfRange }
        if holding(session, frame) == nil { return .notHolder }
        inFlight[session, default: [:]][frame, default: 0] += 1
        return nil
    }

    mutating func removeInFlight(_ session: SessionID, _ frame: FrameNumber) -> ModelRelease {
        guard let refs = inFlight[session]?[frame], refs > 0 else { return ModelRelease() }
        return release { model in model.inFlight[session]![frame] = refs - 1 }
    }

    mutating func close(_ session: SessionID) -> ModelRelease {
        guard let tenant = sessions[session] else { return ModelRelease() }
        return release { model in
            model.inFlight[session] = nil
            for frame in model.frames(of: session) { model.end(session, frame) }
            model.sessions[session] = nil
            if model.sessionCount(of: tenant) == 0 {
                model.tokens = model.tokens.filter { $0.value.audience != tenant }
            }
        }
    }

    // MARK: Steps

    private mutating func claim(_ frame: FrameNumber, session: SessionID, tenant: TenantID) {
        generation[frame, default: 0] += 1
        lastSerial += 1
        holdings[frame, default: [:]][session] = ModelHolding(serial: lastSerial, tenant: tenant, rights: .owner, epoch: generation[frame]!)
    }

    private mutating func end(_ session: SessionID, _ frame: FrameNumber) {
        let serial = holdings[frame]![session]!.serial
        holdings[frame]![session] = nil
        tokens = tokens.filter { $0.value.issuerSerial != serial }
    }

    /// Runs `change` and reports the frames it moved from allocated to free and the tokens
    /// it removed.
    private mutating func release(_ change: (inout ArbiterModel) -> Void) -> ModelRelease {
        let freeBefore = Set(freeFrames)
        let tokensBefore = Set(tokens.keys)
        change(&self)
        return ModelRelease(
            freed: freeFrames.filter { !freeBefore.contains($0) },
            revoked: tokensBefore.subtracting(tokens.keys).sorted())
    }
}
