// Filters over the control channel: a tenant narrows its own bindings with DPF atoms and
// removes them by id; an operator lists every installed filter.

import ExoWire

extension ExoSession {
    /// Installs a filter (a conjunction of `atoms`) on `binding`, one of this session's
    /// bindings. Afterwards the binding delivers only frames that match at least one of its
    /// filters; a binding without filters delivers everything it took before. Returns the
    /// filter's daemon-unique id. Refusals (`.refused`) carry the filter errors 310-317, or
    /// `notBound` when this session does not hold `binding`.
    public func installFilter(on binding: WireEndpoint, atoms: [WireFilterAtom]) async throws(ExOSError) -> UInt64 {
        let reply = try await channel.request(.installFilter(binding, atoms: atoms))
        guard case .filterInstalled(let id) = reply else { throw .unexpectedReply(reply, expected: "filterInstalled") }
        return id
    }

    /// Removes a filter this session installed (`noSuchFilter` otherwise).
    public func removeFilter(_ id: UInt64) async throws(ExOSError) {
        let reply = try await channel.request(.removeFilter(filterID: id))
        guard case .filterRemoved(let removed) = reply, removed == id else {
            throw .unexpectedReply(reply, expected: "filterRemoved")
        }
    }
}

extension OperatorSession {
    /// Every installed filter, or those of `tenant` (all pages), in installation order.
    public func filters(tenant: String? = nil) async throws(ExOSError) -> [FilterInfo] {
        try await PageCollector.collect { (page: Page) async throws(ExOSError) -> ListingPage<FilterInfo> in
            let reply = try await channel.request(.filters(tenant: tenant, page: page))
            guard case .filters(let listing) = reply else { throw .unexpectedReply(reply, expected: "filters") }
            return listing
        }
    }
}
