// What a reload changes, computed before anything changes (seL4's decode before invoke): the
// keys that need a restart (refused), the next tenant roster and address plan, which tenants
// were added, removed or changed. Pure: the daemon applies the plan (Daemon+Reload.swift),
// and the sessions and bindings it ends are picked by ReloadPlan+Ends.swift.

import ExoCore
import ExoWire

/// Why a reload was refused: the file's problems, each naming its key.
struct ReloadRefusal: Error, Equatable {
    var errors: [ConfigError]
}

/// A reload, decided: the configuration and roster to install and what differs from the ones
/// in force.
struct ReloadPlan {
    /// The new file's configuration (already accepted by `ConfigValidator`).
    let config: DaemonConfig
    /// The tenants by id after the reload.
    let roster: TenantRoster
    /// The address plan of `roster`.
    let plan: AddressPlan
    /// Tenants the file adds, with the ids they get.
    let added: [TenantID]
    /// Tenants the file no longer has: their sessions end, their ids become free.
    let removed: [TenantID]
    /// Tenants kept whose settings (uids, gids, quota, addresses or ports) differ.
    let changed: [TenantID]
    /// Kept tenants whose addresses or ports differ: their sessions are told (grantsChanged).
    let grantsChanged: [TenantID]
    /// Whether `[limits]` differs.
    let limitsChanged: Bool
    /// Whether `[impairment]` differs: if so its profiles replace the ones in force.
    let impairmentChanged: Bool

    /// Plans the change from `running` (whose tenants `roster` numbers) to `next`, a
    /// configuration the validator accepted, read from `file`. Throws when `next` changes a
    /// key only a restart can change, or needs more tenant ids than this run has.
    init(running: DaemonConfig, roster: TenantRoster, next: DaemonConfig, file: String) throws(ReloadRefusal) {
        var errors = Self.restartOnlyChanges(running: running, next: next, file: file)
        let names = Set(next.tenants.map(\.name))
        var nextRoster = roster
        var removed: [TenantID] = []
        for (id, tenant) in roster.tenants where !names.contains(tenant.name) {
            removed.append(id)
            nextRoster.set(id, nil)
        }
        var added: [TenantID] = []
        var changed: [TenantID] = []
        var grantsChanged: [TenantID] = []
        for tenant in next.tenants {
            if let id = roster.id(named: tenant.name) {
                let old = roster[id]
                if old != tenant { changed.append(id) }
                if old?.addresses != tenant.addresses || old?.ports != tenant.ports { grantsChanged.append(id) }
                nextRoster.set(id, tenant)
            } else if let free = nextRoster.slots.firstIndex(where: { $0 == nil }) {
                added.append(TenantID(free))
                nextRoster.set(TenantID(free), tenant)
            } else {
                errors.append(ConfigError(file: file, key: "tenant",
                    message: "\(next.tenants.count) tenants would be configured, but this run has ids for \(roster.capacity) "
                        + "(the tenants at start plus \(TenantRoster.spareIDs)): restart the daemon to configure more"))
                break
            }
        }
        var plan: AddressPlan?
        if errors.isEmpty {
            do {
                plan = try nextRoster.addressPlan()
            } catch {
                errors.append(ConfigError(file: file, key: "tenant", message: "address plan refused: \(error)"))
            }
        }
        guard errors.isEmpty, let plan else { throw ReloadRefusal(errors: errors) }
        self.config = next
        self.roster = nextRoster
        self.plan = plan
        self.added = added
        self.removed = removed
        self.changed = changed.sorted()
        self.grantsChanged = grantsChanged.sorted()
        limitsChanged = running.limits != next.limits
        impairmentChanged = running.impairment != next.impairment
    }

    /// The keys whose values were built into the running daemon at start (the socket it
    /// listens on, the pool, the NIC, the held-packet store): a file that changes one is
    /// refused whole, with one error per key.
    static func restartOnlyChanges(running: DaemonConfig, next: DaemonConfig, file: String) -> [ConfigError] {
        var errors: [ConfigError] = []
        func require<T: Equatable>(_ key: String, _ now: T, _ new: T, _ show: (T) -> String) {
            guard now != new else { return }
            errors.append(ConfigError(file: file, key: key,
                message: "is \(show(new)) in the file but \(show(now)) in the running daemon: "
                    + "it changes only with a restart (the old configuration stays in force)"))
        }
        require("daemon.socket", running.socketPath, next.socketPath) { "'\($0)'" }
        require("frames.count", running.frameCount, next.frameCount) { "\($0)" }
        require("frames.size", running.frameSize, next.frameSize) { "\($0)" }
        require("impairment.held_packets", running.impairment.heldPackets, next.impairment.heldPackets) { "\($0)" }
        // The endpoint's listener, connection table and deadlines are made at start.
        require("metrics", running.metrics, next.metrics) { $0.map { "listening on \($0.listen) (max_connections \($0.maxConnections), timeout_ms \($0.timeoutMilliseconds))" } ?? "absent" }
        switch (running.nic, next.nic) {
        case (nil, nil): break
        case (let now?, let new?):
            require("nic.backend", now.backend, new.backend) { "'\($0)'" }
            require("nic.name", now.name, new.name) { "'\($0)'" }
            require("nic.mtu", now.mtu, new.mtu) { "\($0)" }
            require("nic.host_address", "\(now.hostAddress)/\(now.prefixLength)", "\(new.hostAddress)/\(new.prefixLength)") {
                $0
            }
            require("nic.gateway_mac", now.gatewayMAC, new.gatewayMAC) { $0.map { "\($0)" } ?? "unset" }
            require("nic.busy_poll", now.busyPoll, new.busyPoll) { "\($0)" }
            require("nic.on_link_loss", now.onLinkLoss, new.onLinkLoss) { "'\($0.rawValue)'" }
        case (nil, _?), (_?, nil):
            require("nic", running.nic != nil, next.nic != nil) { $0 ? "present" : "absent" }
        }
        return errors
    }
}
