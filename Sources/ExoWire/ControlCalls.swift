// Every request of the control protocol as a typed call: the table of request -> reply pairs
// (docs/PROTOCOL.md §3). Adding a request is one function here.

/// The typed calls, one per request kind.
public enum ControlCalls {
    public static func hello(_ hello: Hello) -> ControlCall<HelloAccepted> {
        ControlCall(.hello(hello), replyName: "helloAccepted") { if case .helloAccepted(let a) = $0 { a } else { nil } }
    }

    public static func allocate(_ frames: [FrameNumber]) -> ControlCall<[HoldingInfo]> {
        ControlCall(.allocate(frames: frames), replyName: "allocated", answer: allocated)
    }

    public static func allocateAny(count: UInt32) -> ControlCall<[HoldingInfo]> {
        ControlCall(.allocateAny(count: count), replyName: "allocated", answer: allocated)
    }

    public static func unref(_ frames: [FrameNumber]) -> ControlCall<UInt32> {
        ControlCall(.unref(frames: frames), replyName: "unreffed") { if case .unreffed(let n) = $0 { n } else { nil } }
    }

    /// The reply also carries one descriptor per frame (the channel hands them over).
    public static func map(_ frames: [FrameNumber]) -> ControlCall<[HoldingInfo]> {
        ControlCall(.map(frames: frames), replyName: "mapped") { if case .mapped(let h) = $0 { h } else { nil } }
    }

    public static func grant(frame: FrameNumber, rights: Rights, audience: String)
        -> ControlCall<(token: [UInt8], tokenID: UInt64)>
    {
        ControlCall(.grant(frame: frame, rights: rights, audience: audience), replyName: "granted") {
            if case .granted(let token, let id) = $0 { (token, id) } else { nil }
        }
    }

    public static func redeem(_ token: [UInt8]) -> ControlCall<HoldingInfo> {
        ControlCall(.redeem(token: token), replyName: "redeemed") { if case .redeemed(let h) = $0 { h } else { nil } }
    }

    public static let ping = ControlCall<Void>(.ping, replyName: "pong") { if case .pong = $0 { () } else { nil } }

    /// The reply also carries three descriptors (ring region, two eventfds).
    public static func openDataPath(ringCapacity: UInt32) -> ControlCall<DataPathInfo> {
        ControlCall(.openDataPath(ringCapacity: ringCapacity), replyName: "dataPathOpened") {
            if case .dataPathOpened(let info) = $0 { info } else { nil }
        }
    }

    public static func bind(_ endpoint: WireEndpoint) -> ControlCall<WireEndpoint> {
        ControlCall(.bind(endpoint), replyName: "bound") { if case .bound(let e) = $0 { e } else { nil } }
    }

    public static func unbind(_ endpoint: WireEndpoint) -> ControlCall<WireEndpoint> {
        ControlCall(.unbind(endpoint), replyName: "unbound") { if case .unbound(let e) = $0 { e } else { nil } }
    }

    public static func installFilter(_ binding: WireEndpoint, atoms: [WireFilterAtom]) -> ControlCall<UInt64> {
        ControlCall(.installFilter(binding, atoms: atoms), replyName: "filterInstalled") {
            if case .filterInstalled(let id) = $0 { id } else { nil }
        }
    }

    /// Answered with the same id; another id is the wrong reply.
    public static func removeFilter(_ id: UInt64) -> ControlCall<Void> {
        ControlCall(.removeFilter(filterID: id), replyName: "filterRemoved(\(id))") {
            if case .filterRemoved(let removed) = $0, removed == id { () } else { nil }
        }
    }

    /// The offers addressed to the caller's tenant (at most 100 a page, whatever the limit).
    public static func offers(_ page: Page) -> ControlCall<ListingPage<OfferInfo>> {
        ControlCall(.offers(page), replyName: "offers") { if case .offers(let l) = $0 { l } else { nil } }
    }

    public static let status = ControlCall<StatusInfo>(.status, replyName: "status") {
        if case .status(let s) = $0 { s } else { nil }
    }

    public static func tenants(_ page: Page) -> ControlCall<ListingPage<TenantInfo>> {
        ControlCall(.tenants(page), replyName: "tenants") { if case .tenants(let l) = $0 { l } else { nil } }
    }

    public static func frames(tenant: String?, page: Page) -> ControlCall<ListingPage<FrameInfo>> {
        ControlCall(.frames(tenant: tenant, page: page), replyName: "frames") {
            if case .frames(let l) = $0 { l } else { nil }
        }
    }

    public static func capabilities(tenant: String?, page: Page) -> ControlCall<ListingPage<CapabilityInfo>> {
        ControlCall(.capabilities(tenant: tenant, page: page), replyName: "capabilities") {
            if case .capabilities(let l) = $0 { l } else { nil }
        }
    }

    public static func bindings(tenant: String?, page: Page) -> ControlCall<ListingPage<BindingInfo>> {
        ControlCall(.bindings(tenant: tenant, page: page), replyName: "bindings") {
            if case .bindings(let l) = $0 { l } else { nil }
        }
    }

    public static let stats = ControlCall<[TenantStats]>(.stats, replyName: "stats") {
        if case .stats(let s) = $0 { s } else { nil }
    }

    public static let nic = ControlCall<NicInfo>(.nic, replyName: "nic") { if case .nic(let n) = $0 { n } else { nil } }

    public static func filters(tenant: String?, page: Page) -> ControlCall<ListingPage<FilterInfo>> {
        ControlCall(.filters(tenant: tenant, page: page), replyName: "filters") {
            if case .filters(let l) = $0 { l } else { nil }
        }
    }

    public static func capture(tenant: String, count: UInt32, snapLength: UInt32)
        -> ControlCall<(captureID: UInt32, snapLength: UInt32)>
    {
        ControlCall(.capture(tenant: tenant, count: count, snapLength: snapLength), replyName: "captureStarted") {
            if case .captureStarted(let id, let snap) = $0 { (id, snap) } else { nil }
        }
    }

    /// Operator: sets (or, with an all-zero profile, clears) an impairment.
    public static func impair(tenant: String?, direction: ImpairDirection, profile: WireImpairmentProfile, seed: UInt64)
        -> ControlCall<Void>
    {
        ControlCall(.impair(tenant: tenant, direction: direction, profile: profile, seed: seed), replyName: "impaired") {
            if case .impaired = $0 { () } else { nil }
        }
    }

    /// Operator: reads the configuration file again. A refused file is a `reloaded` reply too
    /// (`applied` false, with the errors), not an `error`.
    public static let reload = ControlCall<ReloadReport>(.reload, replyName: "reloaded") {
        if case .reloaded(let report) = $0 { report } else { nil }
    }

    /// Tenant: this session has given back what revocation `id` asked for.
    public static func revocationDone(id: UInt64) -> ControlCall<RevocationSettlement> {
        ControlCall(.revocationDone(id: id), replyName: "revocationSettled") {
            if case .revocationSettled(let settlement) = $0 { settlement } else { nil }
        }
    }

    /// Operator: asks a tenant to give `frames` frames back within `deadlineMillis` ms.
    public static func revoke(tenant: String, frames: UInt32, deadlineMillis: UInt32) -> ControlCall<RevocationStarted> {
        ControlCall(.revoke(tenant: tenant, frames: frames, deadlineMillis: deadlineMillis), replyName: "revocationStarted") {
            if case .revocationStarted(let started) = $0 { started } else { nil }
        }
    }

    /// Tenant (or operator): revokes the grant redeemed from token `tokenID`.
    public static func revokeGrant(tokenID: UInt64, deadlineMillis: UInt32) -> ControlCall<UInt64> {
        ControlCall(.revokeGrant(tokenID: tokenID, deadlineMillis: deadlineMillis), replyName: "grantRevocationStarted") {
            if case .grantRevocationStarted(let id) = $0 { id } else { nil }
        }
    }

    @Sendable private static func allocated(_ reply: Reply) -> [HoldingInfo]? {
        if case .allocated(let holdings) = reply { holdings } else { nil }
    }
}
