// Specification of a reload's plan, before the daemon applies it: which tenant ids are kept,
// freed and given out, which keys need a restart, which sessions end (removed tenant, peer no
// longer allowed) and which bindings end (grant gone). Pure: no daemon runs here.

import ExoPacket
import ExoWire
import Testing

@testable import ExoCore
@testable import ExoDaemon

@Suite("ReloadPlan")
struct ReloadPlanTests {
    static let shared = IPv4Address(10, 77, 0, 10)

    static func tenant(_ name: String, uid: UInt32, quota: UInt32 = 16, addresses: [IPv4Address] = [],
        ports: [PortShare] = []) -> TenantConfig {
        TenantConfig(name: name, uids: [uid], gids: [uid], frameQuota: quota, addresses: addresses, ports: ports)
    }

    static let alice = tenant("alice", uid: 1001, addresses: [IPv4Address(10, 77, 0, 2)])
    static let bob = tenant("bob", uid: 1002, ports: [PortShare(.udp, shared, ports: 5000...5099)])
    static let carol = tenant("carol", uid: 1003)

    static func config(_ tenants: [TenantConfig]) -> DaemonConfig {
        DaemonConfig(socketPath: "/run/exo.sock", frameCount: 64, tenants: tenants,
            nic: NicConfig(hostAddress: IPv4Address(10, 77, 0, 1), prefixLength: 24))
    }

    static func plan(from old: [TenantConfig], to new: [TenantConfig], roster: TenantRoster? = nil) throws -> ReloadPlan {
        try ReloadPlan(running: config(old), roster: roster ?? TenantRoster(starting: old), next: config(new), file: "f.toml")
    }

    // MARK: tenant ids

    @Test("kept tenants keep their ids, an added one gets the lowest free id, a removed one frees its id")
    func idsOfKeptAddedAndRemovedTenants() throws {
        let plan = try Self.plan(from: [Self.alice, Self.bob], to: [Self.bob, Self.carol])
        #expect(plan.removed == [0])
        #expect(plan.added == [0])  // alice's id, free once her sessions ended
        #expect(plan.roster.id(named: "bob") == 1)
        #expect(plan.roster.id(named: "carol") == 0)
        #expect(plan.roster.id(named: "alice") == nil)
        #expect(plan.roster.count == 2)
        #expect(plan.changed.isEmpty)
    }

    @Test("a tenant whose uid, quota or grants differ is changed; only grant changes are grantsChanged")
    func changedTenants() throws {
        var alice = Self.alice
        alice.uids = [2001]
        var bob = Self.bob
        bob.ports = [PortShare(.udp, Self.shared, ports: 5000...5009)]
        var unchangedQuotaOnly = Self.carol
        unchangedQuotaOnly.frameQuota = 2
        let plan = try Self.plan(from: [Self.alice, Self.bob, Self.carol], to: [alice, bob, unchangedQuotaOnly])
        #expect(plan.changed == [0, 1, 2])
        #expect(plan.grantsChanged == [1])
        #expect(plan.added.isEmpty && plan.removed.isEmpty)
        #expect(plan.roster[2]?.frameQuota == 2)
    }

    @Test("an unchanged file plans nothing")
    func unchangedFile() throws {
        let plan = try Self.plan(from: [Self.alice, Self.bob], to: [Self.alice, Self.bob])
        #expect(plan.added.isEmpty && plan.removed.isEmpty && plan.changed.isEmpty && plan.grantsChanged.isEmpty)
        #expect(!plan.limitsChanged && !plan.impairmentChanged)
        #expect(plan.roster == TenantRoster(starting: [Self.alice, Self.bob]))
    }

    @Test("a file needing more tenant ids than the run has is refused, naming the tenant key")
    func tooManyTenants() throws {
        let many = (0..<(2 + TenantRoster.spareIDs + 1)).map { Self.tenant("t\($0)", uid: 3000 + UInt32($0)) }
        #expect {
            try Self.plan(from: [Self.alice, Self.bob], to: many)
        } throws: { error in
            guard let refusal = error as? ReloadRefusal else { return false }
            return refusal.errors.map(\.key) == ["tenant"] && refusal.errors[0].message.contains("restart")
        }
    }

    // MARK: keys that need a restart

    @Test("changing the socket, the pool, any nic key or held_packets is refused with one error per key")
    func restartOnlyKeys() {
        let old = Self.config([Self.alice])
        var new = old
        new.socketPath = "/run/other.sock"
        new.frameCount = 128
        new.frameSize = 8192
        new.impairment.heldPackets = 7
        new.nic?.mtu = 9000
        new.nic?.name = "exo9"
        new.nic?.onLinkLoss = .exit
        let errors = ReloadPlan.restartOnlyChanges(running: old, next: new, file: "f.toml")
        #expect(errors.map(\.key) == [
            "daemon.socket", "frames.count", "frames.size", "impairment.held_packets", "nic.name", "nic.mtu",
            "nic.on_link_loss",
        ])
        #expect(errors[1].description
            == "f.toml: frames.count: is 128 in the file but 64 in the running daemon: it changes only with a restart (the old configuration stays in force)")
        var busy = old
        busy.nic?.busyPoll = true
        #expect(ReloadPlan.restartOnlyChanges(running: old, next: busy, file: "f.toml").map(\.key) == ["nic.busy_poll"])
        var noNic = old
        noNic.nic = nil
        #expect(ReloadPlan.restartOnlyChanges(running: old, next: noNic, file: "f.toml").map(\.key) == ["nic"])
    }

    @Test("limits and impairment profiles are not restart-only: a plan notes that they changed")
    func limitsAndImpairmentChange() throws {
        var new = Self.config([Self.alice])
        new.limits.bindings = 3
        new.impairment.toTenants.lossPPM = 10
        let plan = try ReloadPlan(running: Self.config([Self.alice]), roster: TenantRoster(starting: [Self.alice]),
            next: new, file: "f.toml")
        #expect(plan.limitsChanged && plan.impairmentChanged)
    }

    // MARK: sessions to end

    @Test("the sessions of a removed tenant end; those of kept tenants whose peers are still allowed stay")
    func sessionsOfRemovedTenant() throws {
        let plan = try Self.plan(from: [Self.alice, Self.bob], to: [Self.bob])
        let attached = [
            AttachedTenantSession(connectionID: 1, tenant: 0, uid: 1001, gid: 1001),
            AttachedTenantSession(connectionID: 2, tenant: 1, uid: 1002, gid: 1002),
            AttachedTenantSession(connectionID: 3, tenant: 0, uid: 1001, gid: 1001),
        ]
        #expect(plan.sessionsToEnd(attached).map(\.connectionID) == [1, 3])
        #expect(plan.sessionsToEnd(attached).first?.reason.contains("removed") == true)
    }

    @Test("a removed tenant's sessions end even when a tenant the same file adds takes its id")
    func sessionsOfARemovedTenantWhoseIDIsReused() throws {
        let plan = try Self.plan(from: [Self.alice, Self.bob], to: [Self.alice, Self.carol])
        #expect(plan.roster.id(named: "carol") == 1)
        let bobSession = AttachedTenantSession(connectionID: 5, tenant: 1, uid: 1003, gid: 1003)  // even carol's uid
        #expect(plan.sessionsToEnd([bobSession]).map(\.connectionID) == [5])
    }

    @Test("a changed uid ends the sessions of the old uid and keeps those the new file still allows")
    func sessionsOfAChangedUID() throws {
        var alice = Self.alice
        alice.uids = [2001]  // gid 1001 stays: peers admitted by their gid keep their sessions
        let plan = try Self.plan(from: [Self.alice], to: [alice])
        let attached = [
            AttachedTenantSession(connectionID: 1, tenant: 0, uid: 1001, gid: 9999),
            AttachedTenantSession(connectionID: 2, tenant: 0, uid: 2001, gid: 2001),
            AttachedTenantSession(connectionID: 3, tenant: 0, uid: 7777, gid: 1001),
        ]
        let ending = plan.sessionsToEnd(attached)
        #expect(ending.map(\.connectionID) == [1])
        #expect(ending.first?.reason == "uid 1001 gid 9999 may not attach as tenant 'alice' (reload)")
    }

    @Test("root's tenant sessions end when allow_root_tenants is turned off")
    func rootSessionsWhenRootTenantsAreNoLongerAllowed() throws {
        var old = Self.config([Self.alice])
        old.allowRootTenants = true
        let next = Self.config([Self.alice])
        let plan = try ReloadPlan(running: old, roster: TenantRoster(starting: [Self.alice]), next: next, file: "f")
        let root = AttachedTenantSession(connectionID: 9, tenant: 0, uid: 0, gid: 0)
        #expect(plan.sessionsToEnd([root]).map(\.connectionID) == [9])
    }

    // MARK: bindings to end

    @Test("bindings end when their address or port is no longer granted; granted ones stay")
    func bindingsWhoseGrantIsGone() throws {
        var alice = Self.alice
        alice.addresses = [IPv4Address(10, 77, 0, 3)]  // 10.77.0.2 is gone
        var bob = Self.bob
        bob.ports = [PortShare(.udp, Self.shared, ports: 5000...5009)]
        let plan = try Self.plan(from: [Self.alice, Self.bob], to: [alice, bob])
        let oldAddress = Binding(target: .address(IPv4Address(10, 77, 0, 2)), session: 1, tenant: 0)
        let oldEndpoint = Binding(target: .endpoint(Endpoint(.udp, IPv4Address(10, 77, 0, 2), 7)), session: 1, tenant: 0)
        let keptPort = Binding(target: .endpoint(Endpoint(.udp, Self.shared, 5005)), session: 2, tenant: 1)
        let lostPort = Binding(target: .endpoint(Endpoint(.udp, Self.shared, 5050)), session: 2, tenant: 1)
        let ending = plan.bindingsToEnd([oldAddress, oldEndpoint, keptPort, lostPort])
        #expect(ending == [oldAddress, oldEndpoint, lostPort])
    }

    @Test("a binding whose grant moved to another tenant ends: it is no longer its tenant's")
    func grantMovedToAnotherTenant() throws {
        var alice = Self.alice
        alice.addresses = []
        var bob = Self.bob
        bob.addresses = [IPv4Address(10, 77, 0, 2)]
        let plan = try Self.plan(from: [Self.alice, Self.bob], to: [alice, bob])
        let binding = Binding(target: .address(IPv4Address(10, 77, 0, 2)), session: 1, tenant: 0)
        #expect(plan.bindingsToEnd([binding]) == [binding])
        #expect(plan.plan.owner(of: IPv4Address(10, 77, 0, 2)) == .whole(1))
    }
}
