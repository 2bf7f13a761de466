// Per-tenant accounting as operators see it (`exoctl tenants`): every kind of daemon state a
// tenant causes, its current use, its limit, and how often the limit refused something; and
// the one check made before a request's own (descriptors in flight).

import ExoCore
import ExoPlatform
import ExoWire

/// Reads the arbiter, the data plane and the sessions; writes only refusal counters.
final class TenantAccounting {
    let plane: ControlPlane
    let dataPlane: DataPlane
    let sessions: SessionRegistry

    /// The configuration in force: the control plane's, which a reload replaces.
    var config: DaemonConfig { plane.config }

    init(plane: ControlPlane, dataPlane: DataPlane, sessions: SessionRegistry) {
        self.plane = plane
        self.dataPlane = dataPlane
        self.sessions = sessions
    }

    /// Counts a refusal at one of `tenant`'s limits.
    func countRefusal(_ resource: TenantResource, tenant: TenantID) {
        dataPlane.state.countRefusal(resource, tenant: tenant)
    }

    /// Counts a tenant request's refusal if a limit refused it. An offer refused because the
    /// audience is full counts against the audience, whose limit it is.
    func countRefusal(_ error: ExoError, of request: Request, by tenant: TenantID) {
        switch error {
        case .tokenLimit: countRefusal(.tokensIssued, tenant: tenant)
        case .offerLimit:
            if case .grant(_, _, let name) = request, let audience = plane.arbiter.tenant(named: name) {
                countRefusal(.offersReceived, tenant: audience.id)
            }
        case .overQuota: countRefusal(.frames, tenant: tenant)
        case .bindingLimit: countRefusal(.bindings, tenant: tenant)
        case .filterLimit, .filterQuotaExceeded: countRefusal(.filters, tenant: tenant)
        default: break
        }
    }

    /// A `descriptorLimit` refusal for a request whose reply would carry descriptors past the
    /// tenant's `limits.descriptors_in_flight`; nil for any other request, or when they fit.
    /// Checked before the request itself, so it changes nothing.
    func descriptorRefusal(_ request: Request, tenant: TenantID) -> Response? {
        let needed: Int
        switch request {
        case .map(let frames): needed = frames.count
        case .openDataPath: needed = 3
        default: return nil
        }
        let unread = sessions.unreadDescriptors(of: tenant)
        guard unread + needed > config.limits.descriptorsInFlight else { return nil }
        countRefusal(.descriptorsInFlight, tenant: tenant)
        return Response(reply: .error(.descriptorLimit,
            detail: "\(unread) descriptors unread, \(needed) more asked for (limits.descriptors_in_flight \(config.limits.descriptorsInFlight))"))
    }

    /// A page of the operator's `tenants` listing, each tenant with its usage.
    func tenantsListing(_ page: Page) -> ListingPage<TenantInfo> {
        // The cursor is a tenant id: ids of removed tenants are skipped, added ones appear.
        let remaining = plane.roster.tenants.filter { $0.id >= page.cursor }
        let taken = remaining.prefix(max(1, Int(page.limit)))
        let entries = taken.map { id, t -> TenantInfo in
            let held = plane.arbiter.usage(of: id)
            return TenantInfo(id: id, name: t.name, frameQuota: t.frameQuota, framesHeld: held.framesHeld,
                sessions: held.sessions, uids: t.uids, usage: usage(of: id))
        }
        return ListingPage(entries: entries, nextCursor: remaining.count > taken.count ? remaining[taken.count].id : nil)
    }

    /// Every resource of `tenant`: use, limit, refusals.
    func usage(of tenant: TenantID) -> [ResourceUsage] {
        let limits = config.limits
        let arbiter = plane.arbiter
        let counters = dataPlane.state.counters[Int(tenant)]
        let attached = sessions.sessions(of: tenant)
        let paths = dataPlane.state.paths.values.filter { $0.tenant == tenant }
        let now = MonotonicClock.nanoseconds()
        let reportsThisSecond = paths.reduce(0) { $0 + $1.faults.ratePerSecond - $1.faults.available(now: now) }
        let queued = attached.reduce(0) { $0 + $1.pendingOutbound }
        func entry(_ resource: TenantResource, _ used: Int, _ limit: Int, refused: UInt64? = nil) -> ResourceUsage {
            ResourceUsage(resource: resource.name, used: UInt64(max(0, used)), limit: UInt64(max(0, limit)),
                refused: refused ?? counters.refused[resource.rawValue])
        }
        return [
            entry(.tokensIssued, arbiter.tokenCount(issuedBy: tenant), limits.tokensIssued),
            entry(.offersReceived, arbiter.offerCount(to: tenant), limits.offersReceived),
            entry(.sessions, Int(arbiter.usage(of: tenant).sessions), limits.sessions),
            entry(.frames, Int(arbiter.usage(of: tenant).framesHeld), Int(plane.roster[tenant]?.frameQuota ?? 0)),
            entry(.bindings, dataPlane.state.bindings.count(of: tenant), limits.bindings),
            entry(.filters, dataPlane.state.bindings.filterCount(of: tenant), limits.filters),
            entry(.captures, dataPlane.state.captures.count(of: tenant), limits.captures),
            entry(.reassemblyDatagrams, dataPlane.fragments.reassembler.datagramCount(of: tenant),
                limits.reassemblyDatagrams, refused: dataPlane.fragments.reassembler.evictions(of: tenant)),
            entry(.queuedRecords, queued, max(1, attached.count) * config.outboundQueueLimit, refused: 0),
            entry(.faultReports, reportsThisSecond, max(1, paths.count) * limits.faultReportsPerSecond,
                refused: counters.faultReportsCoalesced),
            entry(.descriptorsInFlight, sessions.unreadDescriptors(of: tenant), limits.descriptorsInFlight),
        ]
    }
}
