// Operator queries about the data plane: bindings and filters (paged), per-tenant counters, the NIC.
// Queries change nothing.

import ExoCore
import ExoWire

extension DataPlaneRequests {
    /// Answers `bindings`, `filters`, `stats`, `impair` and `nic`; nil for any other request.
    func handleOperator(_ request: Request) -> Response? {
        switch request {
        case .bindings(let tenantName, let page):
            var filter: TenantID?
            if let tenantName {
                guard let index = state.tenant(named: tenantName) else {
                    return Response(reply: .error(.unknownTenant, detail: ExoError.unknownTenant.description))
                }
                filter = index
            }
            return Response(reply: .bindings(bindingsPage(tenant: filter, page: page)))
        case .filters(let tenantName, let page):
            var filter: TenantID?
            if let tenantName {
                guard let index = state.tenant(named: tenantName) else {
                    return Response(reply: .error(.unknownTenant, detail: ExoError.unknownTenant.description))
                }
                filter = index
            }
            return Response(reply: .filters(filtersPage(tenant: filter, page: page)))
        case .stats:
            return Response(reply: .stats(stats()))
        case .impair(let tenant, let direction, let profile, let seed):
            return impairment.impair(tenant: tenant, direction: direction, profile: profile, seed: seed)
        case .nic:
            return Response(reply: .nic(state.nic?.info() ?? Self.noNic))
        default:
            return nil
        }
    }

    static let noNic = NicInfo(
        backend: "none", name: "", ifindex: 0, isUp: false, isRunning: false, mtu: 0, mac: .zero, hostAddress: 0,
        prefixLength: 0, rxPackets: 0, txPackets: 0, rxBytes: 0, txBytes: 0, drops: 0, linkDownEvents: 0)

    private func bindingsPage(tenant: TenantID?, page: Page) -> ListingPage<BindingInfo> {
        let all = state.bindings.all.filter { tenant == nil || $0.tenant == tenant }
        let start = Int(page.cursor)
        guard start < all.count else { return ListingPage(entries: [], nextCursor: nil) }
        let end = min(all.count, start + max(1, Int(page.limit)))
        let entries = all[start..<end].map { binding in
            BindingInfo(tenant: state.control.roster[binding.tenant]?.name ?? "?", session: binding.session,
                endpoint: Self.wire(binding.target))
        }
        return ListingPage(entries: entries, nextCursor: end < all.count ? UInt32(end) : nil)
    }

    private func stats() -> [TenantStats] {
        state.control.roster.tenants.map { id, tenant in
            let c = state.counters[Int(id)]
            return TenantStats(tenant: tenant.name, rxPackets: c.rxPackets, rxBytes: c.rxBytes,
                txPackets: c.txPackets, txBytes: c.txBytes,
                drops: c.nonzeroDrops + impairment.traffic.tallies.nonzero(tenant: id))
        }
    }
}
