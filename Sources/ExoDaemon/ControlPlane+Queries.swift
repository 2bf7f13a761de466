// Operator queries (exoctl): status and paged listings of frames and capabilities (tenants,
// with their usage, are TenantAccounting's), read from the arbiter's bookkeeping.
// ControlDispatcher routes them here after the role check. Queries change nothing.

import ExoCore
import ExoPlatform
import ExoVersion
import ExoWire

extension ControlPlane {
    private func limit(_ page: Page) -> Int {
        let asked = Int(page.limit)
        return asked == 0 || asked > WireLimits.maxPageSize ? WireLimits.maxPageSize : asked
    }

    private func tenantID(_ name: String?) throws(ExoError) -> TenantID? {
        guard let name else { return nil }
        guard let spec = arbiter.tenant(named: name) else { throw ExoError.unknownTenant }
        return spec.id
    }

    private func tenantName(_ id: TenantID) -> String { arbiter.tenant(id)?.name ?? "?" }

    func status(sessions: Int) -> StatusInfo {
        let uptime = (MonotonicClock.nanoseconds() - startNanoseconds) / 1_000_000_000
        return StatusInfo(
            daemonVersion: ExoVersion.number, protocolVersion: WireLimits.maxVersion,
            pid: ProcessIdentity.pid, uptimeSeconds: uptime, poolFrames: arbiter.frameCount,
            frameSize: config.frameSize, freeFrames: arbiter.freeFrameCount,
            tenantsConfigured: UInt32(roster.count), sessions: UInt32(sessions),
            holdings: UInt32(arbiter.holdingCount), outstandingTokens: UInt32(arbiter.outstandingTokenCount))
    }

    func frames(tenant: String?, page: Page) throws(ExoError) -> ListingPage<FrameInfo> {
        let filter = try tenantID(tenant)
        let (states, next) = arbiter.frameStates(tenant: filter, from: page.cursor, limit: limit(page))
        let entries = states.map { state in
            FrameInfo(frame: state.frame, epoch: state.epoch, inFlight: state.inFlight,
                holders: state.holders.map { h in
                    FrameHolderInfo(tenant: h.tenant, tenantName: tenantName(h.tenant), session: h.session,
                        holding: h.id, rights: h.rights)
                })
        }
        return ListingPage(entries: entries, nextCursor: next)
    }

    func capabilities(tenant: String?, page: Page) throws(ExoError) -> ListingPage<CapabilityInfo> {
        let filter = try tenantID(tenant)
        let (tokens, next) = arbiter.outstandingTokens(tenant: filter, from: UInt64(page.cursor), limit: limit(page))
        let entries = tokens.map { t in
            CapabilityInfo(tokenID: t.tokenID, frame: t.frame, rights: t.rights,
                issuerTenant: tenantName(t.issuerTenant), issuerHolding: t.issuerHolding,
                audienceTenant: tenantName(t.audience))
        }
        // Token ids are per-run counters; a cursor past UInt32 ends the listing (documented).
        return ListingPage(entries: entries, nextCursor: next.flatMap { UInt32(exactly: $0) })
    }
}
