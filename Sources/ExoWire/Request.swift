// Everything a client may ask of the daemon: the hello, frame operations, capability
// grants and redemptions, a liveness ping, the data path, and the operator's queries.

/// A client-to-daemon message. Limits are checked by the codec, not the type: encoding an
/// over-limit request throws `WireEncodeError`.
public enum Request: Equatable, Sendable {
    /// Opens the session; must be the first request.
    case hello(Hello)
    /// Allocates exactly these frames, all or nothing; 1 to `maxBatch` frames.
    case allocate(frames: [FrameNumber])
    /// Allocates any `count` free frames, all or nothing; `count` in 1 to `maxBatch`.
    case allocateAny(count: UInt32)
    /// Drops the caller's holdings of these frames, all or nothing; 1 to `maxBatch` frames.
    case unref(frames: [FrameNumber])
    /// Asks for one fd per frame (in SCM_RIGHTS on the reply); 1 to `maxBatch` frames.
    case map(frames: [FrameNumber])
    /// Offers the audience tenant a holding of `frame` with `rights` (well formed).
    case grant(frame: FrameNumber, rights: Rights, audience: String)
    /// Turns an offered token (1 to `maxTokenSize` bytes) into a holding of the caller's.
    case redeem(token: [UInt8])
    /// Liveness check; answered by `pong`.
    case ping
    /// Opens the session's data path: four rings of `ringCapacity` slots each (a power of
    /// two in `RingLayout.capacityRange`). At most once per session.
    case openDataPath(ringCapacity: UInt32)
    /// Binds an endpoint (or, with protocol 0, a whole address) to this session.
    case bind(WireEndpoint)
    /// Removes one of this session's bindings.
    case unbind(WireEndpoint)
    /// Narrows one of this session's bindings with a filter: a conjunction of 0 to
    /// `maxFilterAtoms` atoms on the wire (the daemon takes 1 to 16).
    case installFilter(WireEndpoint, atoms: [WireFilterAtom])
    /// Removes a filter this session installed.
    case removeFilter(filterID: UInt64)
    /// The outstanding offers addressed to the caller's tenant, paged by token id.
    case offers(Page)
    /// Operator: the daemon's counters.
    case status
    /// Operator: configured tenants, paged.
    case tenants(Page)
    /// Operator: allocated frames, optionally only those a tenant holds, paged.
    case frames(tenant: String?, page: Page)
    /// Operator: outstanding tokens, optionally only those a tenant issued or is offered, paged.
    case capabilities(tenant: String?, page: Page)
    /// Operator: data-path bindings, optionally only those of a tenant, paged.
    case bindings(tenant: String?, page: Page)
    /// Operator: per-tenant data-path counters.
    case stats
    /// Operator: the NIC's state and counters.
    case nic
    /// Operator: installed filters, optionally only those of a tenant, paged.
    case filters(tenant: String?, page: Page)
    /// Operator: streams one tenant's frames (sent and received) to this session as
    /// `capturedFrame` events, each cut to `snapLength` bytes (the daemon refuses a length
    /// outside 1...`CaptureLimits.maxSnapLength`), until `count` frames were sent (0: no limit),
    /// the tenant's last session ends, or this session does; then `captureEnded`.
    case capture(tenant: String, count: UInt32, snapLength: UInt32)
    /// Operator: sets the faults injected into one direction (or both) of the traffic between
    /// the NIC and the tenants: the link's (`tenant` nil) or one tenant's, which then replaces
    /// the link's for that tenant. An all-zero profile turns it off. `seed` seeds the random
    /// stream, so a run repeats. Answered by `impaired`.
    case impair(tenant: String?, direction: ImpairDirection, profile: WireImpairmentProfile, seed: UInt64)
    /// Operator: reads the daemon's configuration file again and applies it, or refuses it and
    /// keeps the one in force (docs/PROTOCOL.md §11). Answered by `reloaded`.
    case reload
    /// Tells the daemon this session has given back what revocation `id` asked for (after
    /// its unrefs). Answered by `revocationSettled`: what the tenant holds now and whether
    /// that meets the revocation (docs/PROTOCOL.md §12).
    case revocationDone(id: UInt64)
    /// Operator: asks `tenant` to give back `frames` frames within `deadlineMillis`
    /// milliseconds (1 to `RevocationLimits.maxDeadlineMillis`), after which the daemon takes
    /// them itself. Answered by `revocationStarted`.
    case revoke(tenant: String, frames: UInt32, deadlineMillis: UInt32)
    /// Revokes a grant this session's tenant issued (an operator: any grant): the holding that
    /// redeeming token `tokenID` made must end within `deadlineMillis` ms (1 to
    /// `RevocationLimits.maxDeadlineMillis`). Answered by `grantRevocationStarted`.
    case revokeGrant(tokenID: UInt64, deadlineMillis: UInt32)

    /// The header kind of this request.
    public var kind: MessageKind {
        switch self {
        case .hello: .hello
        case .allocate: .allocate
        case .allocateAny: .allocateAny
        case .unref: .unref
        case .map: .map
        case .grant: .grant
        case .redeem: .redeem
        case .ping: .ping
        case .openDataPath: .openDataPath
        case .bind: .bind
        case .unbind: .unbind
        case .installFilter: .installFilter
        case .removeFilter: .removeFilter
        case .offers: .offers
        case .status: .status
        case .tenants: .tenants
        case .frames: .frames
        case .capabilities: .capabilities
        case .bindings: .bindings
        case .stats: .stats
        case .nic: .nic
        case .filters: .filters
        case .capture: .capture
        case .impair: .impair
        case .reload: .reload
        case .revocationDone: .revocationDone
        case .revoke: .revoke
        case .revokeGrant: .revokeGrant
        }
    }
}

extension Request {
    /// Parses the body of a request of `kind` (which must be a request kind).
    init(kind: MessageKind, parsing reader: inout WireReader) throws(WireDecodeError) {
        switch kind {
        case .hello: self = .hello(try Hello(parsing: &reader))
        case .allocate: self = .allocate(frames: try reader.readList(field: "allocate.frames", allowed: FieldRange.batch))
        case .allocateAny:
            let count: UInt32 = try reader.read()
            guard count >= 1 else { throw .badValue("allocateAny.count") }
            guard count <= WireLimits.maxBatch else { throw .tooLarge }
            self = .allocateAny(count: count)
        case .unref: self = .unref(frames: try reader.readList(field: "unref.frames", allowed: FieldRange.batch))
        case .map: self = .map(frames: try reader.readList(field: "map.frames", allowed: FieldRange.batch))
        case .grant:
            self = .grant(
                frame: try reader.read(), rights: try reader.readRights(field: "grant.rights"),
                audience: try reader.readName(field: "grant.audience"))
        case .redeem: self = .redeem(token: try reader.readToken(field: "redeem.token"))
        case .ping: self = .ping
        case .openDataPath: self = .openDataPath(ringCapacity: try reader.read())
        case .bind: self = .bind(try WireEndpoint(parsing: &reader))
        case .unbind: self = .unbind(try WireEndpoint(parsing: &reader))
        case .installFilter:
            self = .installFilter(
                try WireEndpoint(parsing: &reader),
                atoms: try reader.readList(field: "installFilter.atoms", allowed: FieldRange.atoms))
        case .removeFilter: self = .removeFilter(filterID: try reader.read())
        case .offers: self = .offers(try Page(parsing: &reader))
        case .status: self = .status
        case .tenants: self = .tenants(try Page(parsing: &reader))
        case .frames:
            self = .frames(
                tenant: try reader.readOptionalString(field: "frames.tenant", allowed: FieldRange.name),
                page: try Page(parsing: &reader))
        case .capabilities:
            self = .capabilities(
                tenant: try reader.readOptionalString(field: "capabilities.tenant", allowed: FieldRange.name),
                page: try Page(parsing: &reader))
        case .bindings:
            self = .bindings(
                tenant: try reader.readOptionalString(field: "bindings.tenant", allowed: FieldRange.name),
                page: try Page(parsing: &reader))
        case .stats: self = .stats
        case .nic: self = .nic
        case .reload: self = .reload
        case .revocationDone: self = .revocationDone(id: try reader.read())
        case .revoke:
            self = .revoke(
                tenant: try reader.readName(field: "revoke.tenant"), frames: try reader.read(),
                deadlineMillis: try reader.read())
        case .revokeGrant: self = .revokeGrant(tokenID: try reader.read(), deadlineMillis: try reader.read())
        case .filters:
            self = .filters(
                tenant: try reader.readOptionalString(field: "filters.tenant", allowed: FieldRange.name),
                page: try Page(parsing: &reader))
        case .capture:
            self = .capture(
                tenant: try reader.readName(field: "capture.tenant"), count: try reader.read(),
                snapLength: try reader.read())
        case .impair:
            let tenant = try reader.readOptionalString(field: "impair.tenant", allowed: FieldRange.name)
            guard let direction = ImpairDirection(rawValue: try reader.read()) else { throw .badValue("impair.direction") }
            self = .impair(
                tenant: tenant, direction: direction, profile: try WireImpairmentProfile(parsing: &reader),
                seed: try reader.read())
        default: throw .unknownKind(kind.rawValue)
        }
    }

    /// Appends this request's body.
    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        switch self {
        case .hello(let hello): try hello.emit(into: &writer)
        case .allocate(let frames): try writer.writeList(frames, field: "allocate.frames", allowed: FieldRange.batch)
        case .allocateAny(let count):
            guard count >= 1 else { throw .badValue("allocateAny.count") }
            guard count <= WireLimits.maxBatch else { throw .limitExceeded("allocateAny.count") }
            writer.write(count)
        case .unref(let frames): try writer.writeList(frames, field: "unref.frames", allowed: FieldRange.batch)
        case .map(let frames): try writer.writeList(frames, field: "map.frames", allowed: FieldRange.batch)
        case .grant(let frame, let rights, let audience):
            writer.write(frame)
            try writer.writeRights(rights, field: "grant.rights")
            try writer.writeName(audience, field: "grant.audience")
        case .redeem(let token): try writer.writeToken(token, field: "redeem.token")
        case .ping, .status, .stats, .nic, .reload: break
        case .openDataPath(let capacity): writer.write(capacity)
        case .bind(let endpoint), .unbind(let endpoint): try endpoint.emit(into: &writer)
        case .installFilter(let endpoint, let atoms):
            try endpoint.emit(into: &writer)
            try writer.writeList(atoms, field: "installFilter.atoms", allowed: FieldRange.atoms)
        case .removeFilter(let id): writer.write(id)
        case .revocationDone(let id): writer.write(id)
        case .revoke(let tenant, let frames, let deadlineMillis):
            try writer.writeName(tenant, field: "revoke.tenant")
            writer.write(frames)
            writer.write(deadlineMillis)
        case .revokeGrant(let tokenID, let deadlineMillis):
            writer.write(tokenID)
            writer.write(deadlineMillis)
        case .filters(let tenant, let page):
            try writer.writeOptionalString(tenant, field: "filters.tenant", allowed: FieldRange.name)
            try page.emit(into: &writer)
        case .tenants(let page), .offers(let page): try page.emit(into: &writer)
        case .frames(let tenant, let page):
            try writer.writeOptionalString(tenant, field: "frames.tenant", allowed: FieldRange.name)
            try page.emit(into: &writer)
        case .capabilities(let tenant, let page):
            try writer.writeOptionalString(tenant, field: "capabilities.tenant", allowed: FieldRange.name)
            try page.emit(into: &writer)
        case .bindings(let tenant, let page):
            try writer.writeOptionalString(tenant, field: "bindings.tenant", allowed: FieldRange.name)
            try page.emit(into: &writer)
        case .capture(let tenant, let count, let snapLength):
            try writer.writeName(tenant, field: "capture.tenant")
            writer.write(count)
            writer.write(snapLength)
        case .impair(let tenant, let direction, let profile, let seed):
            try writer.writeOptionalString(tenant, field: "impair.tenant", allowed: FieldRange.name)
            writer.write(direction.rawValue)
            try profile.emit(into: &writer)
            writer.write(seed)
        }
    }
}
