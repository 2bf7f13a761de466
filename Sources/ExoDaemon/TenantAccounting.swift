// Per-tenant accounting as operators see it (`exoctl tenants`): every kind of daemon state a
// tenant causes, its current use, its limit, and how often the limit refused something; and
// the one check made before a request's own (descriptors in flight).

import ExoCore
import ExoPlatform
import ExoWire

/// Reads the arbiter, the data plane and the sessions; writes only refusal counters.
final class TenantAccounting {
    let config: DaemonConfig
    let plane: ControlPlane
    let dataPlane: DataPlane
    let sessions: SessionRegistry

    init(config: DaemonConfig, plane: ControlPlane, dataPlane: DataPlane, sessions: SessionRegistry) {
        self.config = config
        self.plane = plane
        self.dataPlane = dataPlane
        self.sessions = sessions
    }

    /// Counts a refusal at one of `tenant`'s limits.
    func countRefusal(_ resource: TenantResource, tenant: TenantID) {
        guard Int(tenant) < dataPlane.counters.count else { return }
        dataPlane.counters[Int(tenant)].refused[resource.rawValue] &+= 1
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
        let start = Int(page.cursor)
        let total = config.tenants.count
        guard start < total else { return ListingPage(entries: [], nextCursor: nil) }
        let end = min(total, start + max(1, Int(page.limit)))
        let entries = (start..<end).map { index -> TenantInfo in
            let t = config.tenants[index]
            let held = plane.arbiter.usage(of: TenantID(index))
            return TenantInfo(id: TenantID(index), name: t.name, frameQuota: t.frameQuota, framesHeld: held.framesHeld,
                sessions: held.sessions, uids: t.uids, usage: usage(of: TenantID(index)))
        }
        return ListingPage(entries: entries, nextCursor: end < total ? UInt32(end) : nil)
    }

    /// Every resource of `tenant`: use, limit, refusals.
    func usage(of tenant: TenantID) -> [ResourceUsage] {
        let limits = config.limits
        let arbiter = plane.arbiter
        let counters = dataPlane.counters[Int(tenant)]
        let attached = sessions.sessions(of: tenant)
        let paths = dataPlane.paths.values.filter { $0.tenant == tenant }
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
            entry(.frames, Int(arbiter.usage(of: tenant).framesHeld), Int(config.tenants[Int(tenant)].frameQuota)),
            entry(.bindings, dataPlane.bindings.count(of: tenant), limits.bindings),
            entry(.filters, dataPlane.bindings.filterCount(of: tenant), limits.filters),
            entry(.captures, dataPlane.captures.count(of: tenant), limits.captures),
            entry(.reassemblyDatagrams, dataPlane.fragments.reassembler.datagramCount(of: tenant),
                limits.reassemblyDatagrams, refused: dataPlane.fragments.reassembler.evictions(of: tenant)),
            entry(.queuedRecords, queued, max(1, attached.count) * config.outboundQueueLimit, refused: 0),
            entry(.faultReports, reportsThisSecond, max(1, paths.count) * limits.faultReportsPerSecond,
                refused: counters.faultReportsCoalesced),
            entry(.descriptorsInFlight, sessions.unreadDescriptors(of: tenant), limits.descriptorsInFlight),
        ]
    }
}
