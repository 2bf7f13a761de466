// A runtime's link to exokerneld: the session it runs on now, and what a library OS must
// remember to rebuild that session after a daemon restart (the endpoints it bound and the
// filters it installed: the daemon forgets both with the session). Reattaching itself is
// in DaemonLink+Reattach.swift.

import ExoWire
import Synchronization

/// The session of a `NetworkRuntime` and what it set up at the daemon. Sendable: its record
/// is behind a lock, and calls to the daemon are made outside it.
public final class DaemonLink: Sendable {
    /// A filter the application installed, under the id the runtime gave it (the daemon's
    /// id changes with each session).
    struct InstalledFilter {
        var binding: WireEndpoint
        var atoms: [WireFilterAtom]
        var daemonID: UInt64
    }

    /// What survives a session: the bindings of sockets (shared addresses; whole owned
    /// addresses are bound again with the data path) and the filters.
    struct Record {
        var session: ExoSession
        var bindings: Set<WireEndpoint> = []
        var filters: [UInt64: InstalledFilter] = [:]
        var nextFilterID: UInt64 = 1
    }

    let record: Mutex<Record>
    let options: NetworkOptions
    let events: AsyncStream<NetworkEvent>
    let sink: AsyncStream<NetworkEvent>.Continuation

    init(session: ExoSession, options: NetworkOptions) {
        record = Mutex(Record(session: session))
        self.options = options
        (events, sink) = AsyncStream.makeStream(of: NetworkEvent.self, bufferingPolicy: .bufferingNewest(64))
    }

    /// The current session.
    var session: ExoSession { record.withLock { $0.session } }

    private func bound(_ endpoint: WireEndpoint) { _ = record.withLock { $0.bindings.insert(endpoint) } }

    private func unbound(_ endpoint: WireEndpoint) { _ = record.withLock { $0.bindings.remove(endpoint) } }

    /// Makes `endpoint`'s binding for a socket at the daemon (the authority on shared
    /// addresses) and keeps it, to make again on a new session.
    func bind(_ endpoint: WireEndpoint) async throws(NetworkError) {
        do throws(ExOSError) {
            try await session.bind(endpoint)
        } catch {
            throw .bindRefused(error)
        }
        bound(endpoint)
    }

    /// Forgets and undoes a socket's binding. A failed unbind is not reported: the session's
    /// end removes it anyway.
    func unbind(_ endpoint: WireEndpoint) async {
        unbound(endpoint)
        _ = try? await session.unbind(endpoint)
    }

    /// Ends `events` (the runtime stopped).
    func finish() { sink.finish() }

    /// Installs a filter (a conjunction of `atoms`, docs/FILTERS.md) on `binding`, one of this
    /// runtime's sockets' daemon bindings, and keeps it: a reattachment installs it again.
    /// Returns the runtime's id for it, which stays valid across reattachments.
    public func installFilter(on binding: WireEndpoint, atoms: [WireFilterAtom]) async throws(NetworkError) -> UInt64 {
        let session = session
        let daemonID: UInt64
        do throws(ExOSError) {
            daemonID = try await session.installFilter(on: binding, atoms: atoms)
        } catch {
            throw .bindRefused(error)
        }
        return record.withLock { r in
            defer { r.nextFilterID += 1 }
            r.filters[r.nextFilterID] = InstalledFilter(binding: binding, atoms: atoms, daemonID: daemonID)
            return r.nextFilterID
        }
    }

    /// Removes a filter installed with `installFilter` (unknown ids are ignored).
    public func removeFilter(_ id: UInt64) async throws(NetworkError) {
        guard let (session, filter) = record.withLock({ r in r.filters.removeValue(forKey: id).map { (r.session, $0) } })
        else { return }
        do throws(ExOSError) {
            try await session.removeFilter(filter.daemonID)
        } catch {
            throw .bindRefused(error)
        }
    }
}
