// Attaching again after the daemon went away: a session never survives the daemon (its
// rings, frames, bindings and filters die with it), but the stack lives in this process and
// does. So the library OS attaches as the same tenant, provisions a new data path, binds and
// filters what its sockets had, and swaps the new rings in under the stack: sockets keep
// their ports, connections their sequence numbers, the ARP cache its neighbors.

import ExoPlatform
import ExoWire

extension DaemonLink {
    /// The stack thread's last act when its session ended: attach again (`daemonLost`, then
    /// `reattached` or `gaveUp`), or stop the runtime when reattaching is off, the end was
    /// final (a kick, a reload that ended the tenant: the daemon's final notice) or this
    /// process closed the session itself.
    func sessionEnded(_ runtime: NetworkRuntime) {
        let ended = session
        let reason = ended.endReason ?? .disconnected
        guard let policy = options.reattach, !ReattachSchedule.isFinal(reason), !ended.isClosedByClient else {
            return giveUp(runtime, reason)
        }
        sink.yield(.daemonLost(reason))
        Task { await reattach(runtime, policy: policy, lost: reason) }
    }

    private func giveUp(_ runtime: NetworkRuntime, _ reason: ExOSError) {
        sink.yield(.gaveUp(reason))
        runtime.stop()
    }

    /// Attempts as `policy` schedules them until one succeeds, one fails for good, the
    /// policy's time runs out, or the application stops the runtime.
    private func reattach(_ runtime: NetworkRuntime, policy: ReattachPolicy, lost: ExOSError) async {
        var schedule = ReattachSchedule(policy: policy, lostAt: NetworkRuntime.now(), seed: .random(in: 0...UInt64.max))
        var last = lost
        while case .attempt(let at) = schedule.next(now: NetworkRuntime.now()) {
            let wait = at - NetworkRuntime.now()
            try? await Task.sleep(for: .nanoseconds(Int64(clamping: wait.nanoseconds)))
            guard runtime.state.withLock({ $0.stopped == nil }) else { return }
            do throws(ExOSError) {
                let (sessionID, unrestored) = try await attachAgain(runtime)
                sink.yield(.reattached(sessionID: sessionID, attempts: schedule.attempts, unrestored: unrestored))
                return
            } catch {
                guard runtime.state.withLock({ $0.stopped == nil }) else { return }
                if ReattachSchedule.isFinal(error) { return giveUp(runtime, error) }
                last = error
            }
        }
        giveUp(runtime, last)
    }

    /// One attempt: hello as the same tenant, a new data path, the bindings and filters
    /// again, then the new rings under the stack and a stack thread on them. Everything the
    /// attempt made is released with its session if it fails.
    private func attachAgain(_ runtime: NetworkRuntime) async throws(ExOSError) -> (UInt64, [WireEndpoint]) {
        let old = session
        let fresh = try await ExOS.attach(tenant: old.tenant, socketPath: old.socketPath)
        do throws(ExOSError) {
            let opened = try await RuntimeDataPath.provision(session: fresh, options: options)
            let (bound, unrestored) = try await restore(on: fresh)
            let sleeper: DataPathSleeper
            do throws(SystemError) {
                sleeper = try opened.path.makeSleeper()
            } catch {
                throw .ringMapFailed(error)
            }
            // Limits and secrets are the stack's own: only the identity is compared and taken.
            let configuration = StackConfiguration(dataPath: opened.info, secret: 0)
            // From here sockets' unbinds go to the new session. One closed while the attempt
            // bound its endpoint (its unbind went to the old session) is unbound here, or its
            // port would stay taken until the new session ends.
            let closedMeanwhile = record.withLock { r in
                r.session = fresh
                return bound.filter { !r.bindings.contains($0) }
            }
            for endpoint in closedMeanwhile { _ = try? await fresh.unbind(endpoint) }
            // A runtime stopped meanwhile takes no new session: it is closed below rather
            // than left open for the rest of the process's life.
            let adopted: Bool? = runtime.state.withLock { s in
                guard s.stopped == nil else { return nil }
                return s.adopt(opened.path, sleeper: sleeper, configuration: configuration, now: NetworkRuntime.now())
            }
            guard let adopted else { throw .disconnected }
            guard adopted else {
                throw .protocolViolation(
                    "after its restart the daemon grants this tenant other addresses, ports or link settings; "
                        + "the stack's sockets cannot be kept: restart the application")
            }
            StackThread.start(runtime)
            return (fresh.info.sessionID, unrestored)
        } catch {
            fresh.close()
            throw error
        }
    }

    /// Binds the kept endpoints on `fresh` and installs the kept filters on them. One the
    /// daemon refuses now (another session took it meanwhile, a reload withdrew it) is
    /// forgotten with its filters and returned; any other failure fails the attempt. Returns
    /// the endpoints bound and those refused.
    private func restore(on fresh: ExoSession) async throws(ExOSError) -> (bound: [WireEndpoint], refused: [WireEndpoint]) {
        let (bindings, filters) = record.withLock { ($0.bindings, $0.filters) }
        var bound: [WireEndpoint] = []
        var refused: [WireEndpoint] = []
        for endpoint in bindings.sorted(by: { ($0.proto, $0.address, $0.port) < ($1.proto, $1.address, $1.port) }) {
            do throws(ExOSError) {
                try await fresh.bind(endpoint)
                bound.append(endpoint)
            } catch .refused {
                refused.append(endpoint)
            }
        }
        var installed: [UInt64: UInt64] = [:]
        for (id, filter) in filters.sorted(by: { $0.key < $1.key }) where !refused.contains(filter.binding) {
            do throws(ExOSError) {
                installed[id] = try await fresh.installFilter(on: filter.binding, atoms: filter.atoms)
            } catch .refused {
                refused.append(filter.binding)
            }
        }
        record.withLock { r in
            for endpoint in refused { r.bindings.remove(endpoint) }
            r.filters = r.filters.filter { installed[$0.key] != nil }
            for (id, daemonID) in installed { r.filters[id]?.daemonID = daemonID }
        }
        return (bound, refused)
    }
}
