// Filter requests: a tenant installs and removes filters on its own bindings (checked once
// by the binding table), an operator lists them.

import ExoCore
import ExoWire

extension DataPlaneRequests {
    /// `installFilter`: decode the atoms (typed refusals), then install on the binding.
    func installFilter(_ endpoint: WireEndpoint, atoms: [WireFilterAtom], session: SessionID) throws(ExoError)
        -> Response
    {
        guard state.paths[session] != nil else { throw .noDataPath }
        let target = try Self.target(endpoint)
        var decoded: [FilterAtom] = []
        decoded.reserveCapacity(atoms.count)
        for atom in atoms {
            guard let base = FilterBase(rawValue: atom.base) else { throw .filterBadAtom }
            decoded.append(FilterAtom(base, offset: atom.offset, width: atom.width, mask: atom.mask, value: atom.value))
        }
        let id = try state.bindings.installFilter(
            decoded, on: target, session: session, tenantLimit: state.config.limits.filters)
        return Response(reply: .filterInstalled(filterID: id))
    }

    /// `removeFilter`: only the session that installed a filter may remove it.
    func removeFilter(_ id: UInt64, session: SessionID) throws(ExoError) -> Response {
        guard state.paths[session] != nil else { throw .noDataPath }
        try state.bindings.removeFilter(id, session: session)
        return Response(reply: .filterRemoved(filterID: id))
    }

    /// The operator's `filters` listing, optionally of one tenant, paged.
    func filtersPage(tenant: TenantID?, page: Page) -> ListingPage<FilterInfo> {
        let all = state.bindings.installedFilters.filter { tenant == nil || $0.tenant == tenant }
        let start = Int(page.cursor)
        guard start < all.count else { return ListingPage(entries: [], nextCursor: nil) }
        let end = min(all.count, start + max(1, Int(page.limit)))
        let entries = all[start..<end].map { installed in
            FilterInfo(tenant: state.control.roster[installed.tenant]?.name ?? "?", session: installed.session,
                endpoint: Self.wire(installed.target), filterID: installed.id,
                atoms: installed.filter.atoms.map {
                    WireFilterAtom(base: $0.base.rawValue, offset: $0.offset, width: $0.width, mask: $0.mask,
                        value: $0.value)
                })
        }
        return ListingPage(entries: entries, nextCursor: end < all.count ? UInt32(end) : nil)
    }
}
