// Filters over the control channel: a tenant narrows its own bindings with DPF atoms and
// removes them by id.

import ExoClient
import ExoWire

extension ExoSession {
    /// Installs a filter (a conjunction of `atoms`) on `binding`, one of this session's
    /// bindings. Afterwards the binding delivers only frames that match at least one of its
    /// filters; a binding without filters delivers everything it took before. Returns the
    /// filter's daemon-unique id. Refusals (`.refused`) carry the filter errors 310-317, or
    /// `notBound` when this session does not hold `binding`.
    public func installFilter(on binding: WireEndpoint, atoms: [WireFilterAtom]) async throws(ExOSError) -> UInt64 {
        try await channel.call(ControlCalls.installFilter(binding, atoms: atoms))
    }

    /// Removes a filter this session installed (`noSuchFilter` otherwise).
    public func removeFilter(_ id: UInt64) async throws(ExOSError) {
        try await channel.call(ControlCalls.removeFilter(id))
    }
}
