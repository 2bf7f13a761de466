// Everything the daemon answers a request with: one reply per request, echoing its id,
// either the request's result or a typed refusal.

/// A daemon-to-client answer. Over-limit replies cannot be encoded (`WireEncodeError`).
public enum Reply: Equatable, Sendable {
    case helloAccepted(HelloAccepted)
    /// The new holdings, one per frame, for allocate and allocateAny (1 to `maxBatch`).
    case allocated([HoldingInfo])
    /// How many holdings were dropped.
    case unreffed(count: UInt32)
    /// Same order as the request; the record carries one fd per entry in SCM_RIGHTS, which
    /// the receiver then owns and must close (1 to `maxBatch` entries).
    case mapped([HoldingInfo])
    /// A token to hand to the audience (1 to `maxTokenSize` bytes) and its listing id.
    case granted(token: [UInt8], tokenID: UInt64)
    /// The caller's new holding.
    case redeemed(HoldingInfo)
    case pong
    /// The session's data path; the record carries exactly three descriptors, in order: the
    /// ring region memfd, the daemon-to-tenant eventfd, the tenant-to-daemon eventfd. The
    /// receiver owns and must close them.
    case dataPathOpened(DataPathInfo)
    /// The binding now in place.
    case bound(WireEndpoint)
    /// The binding now removed.
    case unbound(WireEndpoint)
    /// The id of the filter now installed.
    case filterInstalled(filterID: UInt64)
    /// The id of the filter now removed.
    case filterRemoved(filterID: UInt64)
    /// A page of the outstanding offers to the caller's tenant, by ascending token id.
    case offers(ListingPage<OfferInfo>)
    case status(StatusInfo)
    case tenants(ListingPage<TenantInfo>)
    case frames(ListingPage<FrameInfo>)
    case capabilities(ListingPage<CapabilityInfo>)
    case bindings(ListingPage<BindingInfo>)
    /// One entry per configured tenant, in configuration order.
    case stats([TenantStats])
    case nic(NicInfo)
    case filters(ListingPage<FilterInfo>)
    /// The capture is running: its events carry `captureID`; frames are cut to `snapLength`.
    case captureStarted(captureID: UInt32, snapLength: UInt32)
    /// The impairment asked for is in place (for packets judged from now on).
    case impaired
    /// What a `reload` did: applied, or refused with the reasons (the old configuration stays).
    case reloaded(ReloadReport)
    /// The answer to `revocationDone`.
    case revocationSettled(RevocationSettlement)
    /// The answer to `revoke`: the revocation the tenant was sent.
    case revocationStarted(RevocationStarted)
    /// The answer to `revokeGrant`: the revocation the grantee was sent.
    case grantRevocationStarted(id: UInt64)
    /// A refusal; `detail` is free text (at most `maxTextSize` bytes) for humans.
    case error(ExoError, detail: String)

    /// The header kind of this reply.
    public var kind: MessageKind {
        switch self {
        case .helloAccepted: .helloAccepted
        case .allocated: .allocated
        case .unreffed: .unreffed
        case .mapped: .mapped
        case .granted: .granted
        case .redeemed: .redeemed
        case .pong: .pong
        case .dataPathOpened: .dataPathOpened
        case .bound: .bound
        case .unbound: .unbound
        case .filterInstalled: .filterInstalled
        case .filterRemoved: .filterRemoved
        case .offers: .offersReply
        case .status: .statusReply
        case .tenants: .tenantsReply
        case .frames: .framesReply
        case .capabilities: .capabilitiesReply
        case .bindings: .bindingsReply
        case .stats: .statsReply
        case .nic: .nicReply
        case .filters: .filtersReply
        case .captureStarted: .captureStarted
        case .impaired: .impaired
        case .reloaded: .reloaded
        case .revocationSettled: .revocationSettled
        case .revocationStarted: .revocationStarted
        case .grantRevocationStarted: .grantRevocationStarted
        case .error: .error
        }
    }
}

extension Reply {
    /// Parses the body of a reply of `kind` (which must be a reply kind).
    init(kind: MessageKind, parsing reader: inout WireReader) throws(WireDecodeError) {
        switch kind {
        case .helloAccepted: self = .helloAccepted(try HelloAccepted(parsing: &reader))
        case .allocated: self = .allocated(try reader.readList(field: "allocated.holdings", allowed: FieldRange.batch))
        case .unreffed: self = .unreffed(count: try reader.read())
        case .mapped: self = .mapped(try reader.readList(field: "mapped.holdings", allowed: FieldRange.batch))
        case .granted: self = .granted(token: try reader.readToken(field: "granted.token"), tokenID: try reader.read())
        case .redeemed: self = .redeemed(try HoldingInfo(parsing: &reader))
        case .pong: self = .pong
        case .dataPathOpened: self = .dataPathOpened(try DataPathInfo(parsing: &reader))
        case .bound: self = .bound(try WireEndpoint(parsing: &reader))
        case .unbound: self = .unbound(try WireEndpoint(parsing: &reader))
        case .filterInstalled: self = .filterInstalled(filterID: try reader.read())
        case .filterRemoved: self = .filterRemoved(filterID: try reader.read())
        case .offersReply: self = .offers(try ListingPage(parsing: &reader))
        case .statusReply: self = .status(try StatusInfo(parsing: &reader))
        case .tenantsReply: self = .tenants(try ListingPage(parsing: &reader))
        case .framesReply: self = .frames(try ListingPage(parsing: &reader))
        case .capabilitiesReply: self = .capabilities(try ListingPage(parsing: &reader))
        case .bindingsReply: self = .bindings(try ListingPage(parsing: &reader))
        case .statsReply: self = .stats(try reader.readList(field: "stats.tenants", allowed: FieldRange.list))
        case .nicReply: self = .nic(try NicInfo(parsing: &reader))
        case .filtersReply: self = .filters(try ListingPage(parsing: &reader))
        case .captureStarted: self = .captureStarted(captureID: try reader.read(), snapLength: try reader.read())
        case .impaired: self = .impaired
        case .reloaded: self = .reloaded(try ReloadReport(parsing: &reader))
        case .revocationSettled: self = .revocationSettled(try RevocationSettlement(parsing: &reader))
        case .revocationStarted: self = .revocationStarted(try RevocationStarted(parsing: &reader))
        case .grantRevocationStarted: self = .grantRevocationStarted(id: try reader.read())
        case .error:
            guard let code = ExoError(rawValue: try reader.read()) else { throw .badValue("error.code") }
            self = .error(code, detail: try reader.readString(field: "error.detail", allowed: FieldRange.text))
        default: throw .unknownKind(kind.rawValue)
        }
    }

    /// Appends this reply's body.
    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        switch self {
        case .helloAccepted(let accepted): accepted.emit(into: &writer)
        case .allocated(let holdings):
            try writer.writeList(holdings, field: "allocated.holdings", allowed: FieldRange.batch)
        case .unreffed(let count): writer.write(count)
        case .mapped(let holdings): try writer.writeList(holdings, field: "mapped.holdings", allowed: FieldRange.batch)
        case .granted(let token, let tokenID):
            try writer.writeToken(token, field: "granted.token")
            writer.write(tokenID)
        case .redeemed(let holding): try holding.emit(into: &writer)
        case .pong, .impaired: break
        case .dataPathOpened(let info): try info.emit(into: &writer)
        case .bound(let endpoint), .unbound(let endpoint): try endpoint.emit(into: &writer)
        case .filterInstalled(let id), .filterRemoved(let id): writer.write(id)
        case .status(let status): try status.emit(into: &writer)
        case .tenants(let page): try page.emit(into: &writer)
        case .frames(let page): try page.emit(into: &writer)
        case .capabilities(let page): try page.emit(into: &writer)
        case .bindings(let page): try page.emit(into: &writer)
        case .stats(let stats): try writer.writeList(stats, field: "stats.tenants", allowed: FieldRange.list)
        case .nic(let nic): try nic.emit(into: &writer)
        case .filters(let page): try page.emit(into: &writer)
        case .offers(let page): try page.emit(into: &writer)
        case .reloaded(let report): try report.emit(into: &writer)
        case .revocationSettled(let settlement): try settlement.emit(into: &writer)
        case .revocationStarted(let started): try started.emit(into: &writer)
        case .grantRevocationStarted(let id): writer.write(id)
        case .captureStarted(let captureID, let snapLength):
            writer.write(captureID)
            writer.write(snapLength)
        case .error(let code, let detail):
            writer.write(code.rawValue)
            try writer.writeString(detail, field: "error.detail", allowed: FieldRange.text)
        }
    }
}
