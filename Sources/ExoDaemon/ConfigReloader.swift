// A configuration reload (SIGHUP, `exoctl reload`), a part of the daemon of its own: the file is read and checked as
// `--check-config` checks it; a file with any error changes nothing. Otherwise the plan
// (ReloadPlan, pure) is applied between two turns of the loop, in an order that never leaves
// a right the new file took away in force: sessions that lost their tenant or identity end
// first, then removed tenants leave the arbiter, then the new roster, quotas, limits and
// address plan are installed, then bindings whose grant is gone end and their sessions are
// told, then impairments.

import ExoCore
import ExoPlatform
import ExoWire

/// Reloads the configuration into the daemon's parts. Owned by the daemon, on the loop thread;
/// `config` is the configuration in force, which the daemon reads back after each reload.
final class ConfigReloader {
    private(set) var config: DaemonConfig
    /// Where a reload reads the configuration from (nil: every reload is refused).
    let source: ConfigSource?
    let service: any ServiceManagement
    let plane: ControlPlane
    let dataPlane: DataPlane
    let sessions: SessionRegistry
    let dispatcher: ControlDispatcher
    let connections: ControlConnections
    let owed: OwedRecords

    init(
        config: DaemonConfig, source: ConfigSource?, service: any ServiceManagement, plane: ControlPlane,
        dataPlane: DataPlane, sessions: SessionRegistry, dispatcher: ControlDispatcher,
        connections: ControlConnections, owed: OwedRecords
    ) {
        self.config = config
        self.source = source
        self.service = service
        self.plane = plane
        self.dataPlane = dataPlane
        self.sessions = sessions
        self.dispatcher = dispatcher
        self.connections = connections
        self.owed = owed
    }

    /// Reads the configuration source again and applies it, or refuses it whole. Tells the
    /// service manager RELOADING=1 (with MONOTONIC_USEC, sd_notify(3)) and READY=1 around it.
    @discardableResult
    func reload() -> ReloadReport {
        service.notify("RELOADING=1\nMONOTONIC_USEC=\(MonotonicClock.nanoseconds() / 1_000)")
        let report = readAndApply()
        if report.applied {
            Log.info("configuration reloaded: \(report.tenantsAdded) tenants added, \(report.tenantsRemoved) removed, "
                + "\(report.tenantsChanged) changed; \(report.sessionsEnded) sessions and \(report.bindingsEnded) bindings ended")
        } else {
            for line in report.errors { Log.error("reload refused: \(line)") }
            Log.error("reload refused: the configuration in force is unchanged")
        }
        service.notify("READY=1\nSTATUS=serving \(config.socketPath)"
            + (report.applied ? "" : " (last reload refused: \(report.errors.count) errors)"))
        return report
    }

    private func readAndApply() -> ReloadReport {
        guard let source else {
            return ReloadReport(applied: false, errors: ["the daemon was started without a configuration file"])
        }
        let reading = source.read()
        let warnings = reading.warnings
        for warning in warnings { Log.warning("reload: \(warning)") }
        guard reading.errors.isEmpty, let next = reading.config else {
            // A file that decodes is also told which of its changes need a restart: one answer
            // lists everything to fix.
            let restart = reading.config.map {
                ReloadPlan.restartOnlyChanges(running: config, next: $0, file: source.path)
            } ?? []
            return ReloadReport(applied: false, errors: Self.lines((reading.errors + restart).map(\.description)),
                warnings: Self.lines(warnings))
        }
        let plan: ReloadPlan
        do {
            plan = try ReloadPlan(running: config, roster: plane.roster, next: next, file: source.path)
        } catch {
            return ReloadReport(applied: false, errors: Self.lines(error.errors.map(\.description)),
                warnings: Self.lines(warnings))
        }
        var report = apply(plan)
        report.warnings = Self.lines(warnings)
        return report
    }

    /// Applies a plan. Cannot fail: everything that could was checked by the plan.
    func apply(_ plan: ReloadPlan) -> ReloadReport {
        let sessionsEnded = endSessions(plan)
        for id in plan.removed {
            _ = plane.apply(plane.arbiter.removeTenant(id))
            dataPlane.state.counters[Int(id)] = TenantCounters()
            dataPlane.impairment.forget(tenant: id)
        }
        install(plan)
        let bindingsEnded = endBindings(plan)
        if plan.impairmentChanged { dataPlane.impairment.applyConfigured() }
        return ReloadReport(applied: true, tenantsAdded: UInt32(plan.added.count),
            tenantsRemoved: UInt32(plan.removed.count), tenantsChanged: UInt32(plan.changed.count),
            sessionsEnded: UInt32(sessionsEnded), bindingsEnded: UInt32(bindingsEnded))
    }

    /// Ends the tenant sessions the plan picks; each peer gets `error notPermitted` (request id
    /// 0) with the reason, then the session closes and frees what it held, as at a disconnect.
    private func endSessions(_ plan: ReloadPlan) -> Int {
        let attached = sessions.all.compactMap { session -> AttachedTenantSession? in
            guard case .tenant(let tenant, _) = session.role else { return nil }
            return AttachedTenantSession(connectionID: session.connectionID, tenant: tenant,
                uid: session.credentials.uid, gid: session.credentials.gid)
        }.sorted { $0.connectionID < $1.connectionID }
        let ending = plan.sessionsToEnd(attached)
        for end in ending {
            guard let session = sessions[end.connectionID] else { continue }
            connections.refuse(session, requestID: 0, .notPermitted, detail: end.reason)
            // The refusal closes the session once it is out; it is out or dropped by now.
            connections.close(end.connectionID, reason: end.reason)
        }
        return ending.count
    }

    /// The new configuration, roster, quotas, limits and address plan, in every part.
    private func install(_ plan: ReloadPlan) {
        let next = plan.config
        if next.operatorGroup != config.operatorGroup {
            dispatcher.operatorGID = next.operatorGroup.flatMap(ControlDispatcher.resolve)
        }
        config = next
        plane.config = next
        plane.roster = plan.roster
        dispatcher.config = next
        connections.config = next
        sessions.limits = AdmissionLimits(connections: next.maxConnections, connectionsPerUID: next.maxConnectionsPerUID)
        for (id, tenant) in plan.roster.tenants {
            plane.arbiter.setTenant(TenantSpec(config: tenant, id: id, limits: next.limits))
            // A quota below what the tenant holds is a revocation of the difference.
            if plane.arbiter.usage(of: id).framesHeld > tenant.frameQuota {
                dispatcher.revocations.quotaReduced(id, to: tenant.frameQuota)
            }
        }
        dataPlane.install(config: next, plan: plan.plan)
        dataPlane.fragments.reassembler.setMaximumDatagramsPerOwner(next.limits.reassemblyDatagrams)
        // New rates start with full buckets; unchanged limits keep the buckets as they are.
        if plan.limitsChanged { dataPlane.state.rates.install(next.limits, tenants: plan.roster.capacity) }
    }

    /// Removes the bindings the new plan no longer grants, and tells every session of a tenant
    /// whose grants changed (or that lost a binding) with a `grantsChanged` event.
    private func endBindings(_ plan: ReloadPlan) -> Int {
        let ending = plan.bindingsToEnd(dataPlane.state.bindings.all)
        var ended: [UInt64: [WireEndpoint]] = [:]
        for binding in ending {
            do {
                try dataPlane.state.bindings.unbind(binding.target, session: binding.session)
            } catch {
                continue
            }
            if let path = dataPlane.state.paths[binding.session] {
                ended[path.connectionID, default: []].append(DataPlaneRequests.wire(binding.target))
            }
        }
        let changed = Set(plan.grantsChanged)
        let told = dataPlane.state.paths.values
            .filter { changed.contains($0.tenant) || ended[$0.connectionID] != nil }
            .compactMap { sessions[$0.connectionID] }
            .sorted { $0.connectionID < $1.connectionID }
        owed.grantsChanged(told, ended: ended, flush: connections.flush)
        return ending.count
    }

    /// At most `ReloadReport.maxLines` lines, each within a `text` field; the last says how
    /// many more there were (the log has them all).
    static func lines(_ all: [String]) -> [String] {
        let fitted = all.map { line in
            line.utf8.count <= WireLimits.maxTextSize ? line : String(decoding: line.utf8.prefix(WireLimits.maxTextSize - 8), as: UTF8.self) + "..."
        }
        guard fitted.count > ReloadReport.maxLines else { return fitted }
        let kept = ReloadReport.maxLines - 1
        return Array(fitted.prefix(kept)) + ["... and \(fitted.count - kept) more (see the daemon's log)"]
    }
}
