// Configuration reload in the whole daemon, in-process: the test writes a new file and asks
// for a reload over the control socket (or raises the stand-in for SIGHUP); each kind of
// change takes effect on the sessions that are attached, and a broken file changes nothing.
// The file's tenants have uids of their own, as the validator requires; the test process,
// root, attaches as any of them through daemon.allow_root_tenants (so these tests need root;
// a changed uid ending its sessions is shown with real uids in IntegrationTests/ReloadTests).

import ExoCore
import ExoPacket
import ExoPlatform
import ExoWire
import Foundation
import Testing

@testable import ExoDaemon

@Suite("The whole daemon in-process: configuration reload", .enabled(if: ProcessIdentity.uid == 0))
struct InProcessReloadTests {
    static let aliceBlock = tenantBlock("alice", uid: 60001, quota: 32, addresses: ["10.9.0.2"])
    static let bobBlock = tenantBlock("bob", uid: 60002, quota: 32, addresses: ["10.9.0.3"])

    /// Frames of a page: the validator refuses the in-process daemon's usual 2048 bytes.
    static let frameSize: UInt32 = 4096

    /// A daemon whose running configuration is exactly what `file(tenants:)` writes.
    static func daemon() throws -> InProcessDaemon {
        try InProcessDaemon { config in
            config.frameSize = frameSize
            config.nic?.gatewayMAC = nil
            config.allowRootTenants = true
            config.tenants = [
                TenantConfig(name: "alice", uids: [60001], frameQuota: 32, addresses: [IPv4Address(10, 9, 0, 2)]),
                TenantConfig(name: "bob", uids: [60002], frameQuota: 32, addresses: [IPv4Address(10, 9, 0, 3)]),
            ]
        }
    }

    static func tenantBlock(_ name: String, uid: UInt32, quota: Int, addresses: [String] = [], ports: [String] = [])
        -> String
    {
        """
        [[tenant]]
        name = "\(name)"
        uids = [\(uid)]
        frame_quota = \(quota)
        addresses = [\(addresses.map { "\"\($0)\"" }.joined(separator: ", "))]
        ports = [\(ports.map { "\"\($0)\"" }.joined(separator: ", "))]

        """
    }

    /// The running daemon's settings, then `extra` sections and the tenant blocks.
    static func file(for daemon: InProcessDaemon, tenants: [String], frameCount: Int = 64, extra: String = "") -> String {
        """
        [daemon]
        socket = "\(daemon.socketPath)"
        allow_root_tenants = true

        [frames]
        count = \(frameCount)
        size = \(frameSize)

        [nic]
        backend = "tap"
        name = "mem0"
        mtu = 1500
        host_address = "10.9.0.1/24"

        \(extra)
        \(tenants.joined(separator: "\n"))
        """
    }

    /// Writes `text` as the daemon's file and asks for a reload as an operator.
    static func reload(_ daemon: InProcessDaemon, with text: String) throws -> ReloadReport {
        try text.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        let op = try daemon.attachOperator()
        defer { op.close() }
        return try op.call(ControlCalls.reload)
    }

    // MARK: a broken file

    @Test("a broken file is refused with exactly the errors --check-config prints, and nothing changes")
    func brokenFileChangesNothing() throws {
        let daemon = try Self.daemon()
        let alice = try daemon.attachTenant("alice")
        _ = try alice.call(ControlCalls.allocateAny(count: 4))
        let op = try daemon.attachOperator()
        let before = try op.call(ControlCalls.tenants(Page()))
        // Removes bob and lowers alice's quota, but also has two mistakes.
        let broken = Self.file(for: daemon,
            tenants: [Self.tenantBlock("alice", uid: 60001, quota: 0, addresses: ["10.9.0.2"])],
            extra: "[limits]\nsessions = 0\n")

        let report = try Self.reload(daemon, with: broken)

        #expect(!report.applied)
        let checked = ConfigSource(path: daemon.configPath).read().errors.map(\.description)
        #expect(report.errors == checked)
        #expect(report.errors.contains { $0.contains("tenant[0].frame_quota") })
        #expect(report.errors.contains { $0.contains("limits.sessions") })
        #expect(try op.call(ControlCalls.tenants(Page())) == before)
        _ = try daemon.attachTenant("bob")
        #expect(try alice.call(ControlCalls.allocateAny(count: 28)).count == 28)
    }

    @Test("every file that once aborted the daemon's TOML parser (Fuzz/crashes/config-loading) is refused by a reload, and the daemon goes on")
    func formerParserAbortsAreRefused() throws {
        let daemon = try Self.daemon()
        let crashes = ConfigFixtures.repositoryRoot.appendingPathComponent("Fuzz/crashes/config-loading")
        let names = try FileManager.default.contentsOfDirectory(atPath: crashes.path).filter { $0.hasPrefix("crash-") }
        #expect(names.count >= 3)
        for name in names.sorted() {
            let text = try String(contentsOf: crashes.appendingPathComponent(name), encoding: .utf8)
            let report = try Self.reload(daemon, with: text)
            #expect(!report.applied, "\(name)")
            #expect(report.errors.count == 1 && report.errors[0].hasPrefix("\(daemon.configPath): line "), "\(name)")
        }
        _ = try daemon.attachTenant("alice")
        #expect(try daemon.attachOperator().call(ControlCalls.status).poolFrames == 64)
    }

    @Test("a file that changes a key only a restart can change is refused with one error per key")
    func restartOnlyKeyIsRefused() throws {
        let daemon = try Self.daemon()
        let report = try Self.reload(daemon, with: Self.file(for: daemon, tenants: [Self.aliceBlock], frameCount: 32))
        #expect(!report.applied)
        #expect(report.errors == [
            "\(daemon.configPath): frames.count: is 32 in the file but 64 in the running daemon: it changes only with a restart (the old configuration stays in force)"
        ])
        _ = try daemon.attachTenant("bob")
        #expect(try daemon.attachOperator().call(ControlCalls.status).poolFrames == 64)

        // A file with mistakes too lists them first, then the keys that need a restart.
        let both = Self.file(for: daemon,
            tenants: [Self.tenantBlock("alice", uid: 60001, quota: 0, addresses: ["10.9.0.2"])], frameCount: 32)
        let refused = try Self.reload(daemon, with: both)
        #expect(refused.errors.map { $0.split(separator: ":")[1] } == [" tenant[0].frame_quota", " frames.count"])
    }

    @Test("an unreadable file is refused naming it, and nothing changes")
    func missingFileIsRefused() throws {
        let daemon = try Self.daemon()
        let op = try daemon.attachOperator()
        let report = try op.call(ControlCalls.reload)
        #expect(!report.applied)
        #expect(report.errors.count == 1 && report.errors[0].hasPrefix(daemon.configPath))
        _ = try daemon.attachTenant("alice")
    }

    // MARK: quotas

    @Test("a lowered quota keeps the frames held above it but refuses every allocation beyond it; a raised one allows more")
    func quotaChanges() throws {
        let daemon = try Self.daemon()
        let alice = try daemon.attachTenant("alice")
        let held = try alice.call(ControlCalls.allocateAny(count: 10)).map(\.frame)
        let lowered = Self.file(for: daemon,
            tenants: [Self.tenantBlock("alice", uid: 60001, quota: 4, addresses: ["10.9.0.2"]), Self.bobBlock])

        let report = try Self.reload(daemon, with: lowered)

        #expect(report.applied && report.tenantsChanged == 1 && report.sessionsEnded == 0)
        let op = try daemon.attachOperator()
        #expect(try op.call(ControlCalls.frames(tenant: "alice", page: Page())).entries.count == 10)
        #expect(throws: Refused.self) { try alice.call(ControlCalls.allocateAny(count: 1)) }
        #expect(try op.call(ControlCalls.tenants(Page())).entries.first { $0.name == "alice" }?.frameQuota == 4)
        _ = try alice.call(ControlCalls.unref(Array(held.prefix(7))))
        #expect(try alice.call(ControlCalls.allocateAny(count: 1)).count == 1)  // 3 + 1 = 4
        #expect(throws: Refused.self) { try alice.call(ControlCalls.allocateAny(count: 1)) }

        let raised = Self.file(for: daemon,
            tenants: [Self.tenantBlock("alice", uid: 60001, quota: 40, addresses: ["10.9.0.2"]), Self.bobBlock])
        #expect(try Self.reload(daemon, with: raised).applied)
        #expect(try alice.call(ControlCalls.allocateAny(count: 36)).count == 36)
    }

    // MARK: grants

    @Test("a removed address unbinds what it allowed and tells the session; traffic follows the new grant")
    func grantRemovedUnbindsAndTells() throws {
        let daemon = try Self.daemon()
        let alice = try TenantDataPath(peer: try daemon.attachTenant("alice"))
        try alice.bindUDP(port: 7000)
        let oldAddress = alice.address
        let moved = Self.file(for: daemon,
            tenants: [Self.tenantBlock("alice", uid: 60001, quota: 32, addresses: ["10.9.0.4"]), Self.bobBlock])

        let report = try Self.reload(daemon, with: moved)

        #expect(report.applied && report.bindingsEnded == 1)
        let newAddress = AddressGrant(
            address: IPv4Address(10, 9, 0, 4).rawValue,
            mac: DaemonConfig.macForOwnedAddress(IPv4Address(10, 9, 0, 4)), whole: true)
        #expect(try alice.peer.takeEvents() == [
            .grantsChanged(GrantsChange(
                ended: [WireEndpoint(proto: 17, address: oldAddress.address, port: 7000)],
                addresses: [newAddress], portShares: []))
        ])
        daemon.receiveFromWire([InProcessDaemon.packetFromWire(to: oldAddress, port: 7000, payload: [1])])
        #expect(try alice.received().isEmpty)
        #expect(throws: Refused(error: .notGranted, detail: ExoError.notGranted.description)) {
            try alice.peer.call(ControlCalls.bind(WireEndpoint(proto: 17, address: oldAddress.address, port: 7000)))
        }
        _ = try alice.peer.call(ControlCalls.bind(WireEndpoint(proto: 17, address: newAddress.address, port: 7000)))
        let packet = InProcessDaemon.packetFromWire(to: newAddress, port: 7000, payload: [2])
        daemon.receiveFromWire([packet])
        #expect(try alice.received() == [packet])
        // The egress guard follows the new plan: the old address is no longer alice's to send from.
        try alice.send([InProcessDaemon.packetToWire(from: oldAddress, port: 7000, payload: [3])])
        daemon.turn()
        #expect(daemon.sentToWire().isEmpty)
    }

    @Test("a tenant whose grants did not change is told nothing and keeps its bindings")
    func unchangedGrantsAreNotTold() throws {
        let daemon = try Self.daemon()
        let bob = try TenantDataPath(peer: try daemon.attachTenant("bob"))
        try bob.bindUDP(port: 9000)
        let moved = Self.file(for: daemon,
            tenants: [Self.tenantBlock("alice", uid: 60001, quota: 32, addresses: ["10.9.0.4"]), Self.bobBlock])
        #expect(try Self.reload(daemon, with: moved).applied)
        #expect(try bob.peer.takeEvents().isEmpty)
        let packet = InProcessDaemon.packetFromWire(to: bob.address, port: 9000, payload: [1])
        daemon.receiveFromWire([packet])
        #expect(try bob.received() == [packet])
    }

    // MARK: tenants added and removed

    @Test("an added tenant attaches without a restart; a removed one's sessions end, its frames return and it can no longer attach")
    func tenantAddedAndRemoved() throws {
        let daemon = try Self.daemon()
        let alice = try daemon.attachTenant("alice")
        let bob = try daemon.attachTenant("bob")
        _ = try bob.call(ControlCalls.allocateAny(count: 5))
        let op = try daemon.attachOperator()
        let freeBefore = try op.call(ControlCalls.status).freeFrames
        #expect(throws: PeerFailure.self) { try daemon.attachTenant("carol") }
        let next = Self.file(for: daemon,
            tenants: [Self.aliceBlock, Self.tenantBlock("carol", uid: 60003, quota: 8, addresses: ["10.9.0.5"])])

        let report = try op.call(ControlCalls.reload)  // no file yet: refused
        #expect(!report.applied)
        try next.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        let applied = try op.call(ControlCalls.reload)

        #expect(applied.applied && applied.tenantsAdded == 1 && applied.tenantsRemoved == 1 && applied.sessionsEnded == 1)
        #expect(try bob.takeRecords().map(\.kind) == [.error])
        #expect(bob.closedByDaemon)
        #expect(try op.call(ControlCalls.status).freeFrames == freeBefore + 5)
        #expect(throws: PeerFailure.self) { try daemon.attachTenant("bob") }
        let carol = try daemon.attachTenant("carol")
        #expect(try carol.call(ControlCalls.allocateAny(count: 8)).count == 8)
        try alice.call(ControlCalls.ping)
        // carol took bob's id, free once his session ended: listings go by id.
        #expect(try op.call(ControlCalls.tenants(Page())).entries.map(\.name) == ["alice", "carol"])
        #expect(try op.call(ControlCalls.stats).map(\.tenant) == ["alice", "carol"])
    }

    @Test("a removed tenant's session is told why before it is closed")
    func removedTenantIsToldWhy() throws {
        let daemon = try Self.daemon()
        let bob = try ControlPeer(connectingTo: daemon)
        _ = try bob.hello(.tenant, tenant: "bob")
        #expect(try Self.reload(daemon, with: Self.file(for: daemon, tenants: [Self.aliceBlock])).applied)
        #expect(try bob.takeRecords() == [
            .reply(id: 0, .error(.notPermitted, detail: "the tenant was removed from the configuration (reload)"))
        ])
        #expect(bob.closedByDaemon)
    }

    @Test("offers addressed to a removed tenant are revoked, so a tenant given its id later cannot redeem them")
    func offersToARemovedTenantAreRevoked() throws {
        let daemon = try Self.daemon()
        let alice = try daemon.attachTenant("alice")
        let frame = try #require(try alice.call(ControlCalls.allocateAny(count: 1)).first).frame
        let (token, _) = try alice.call(ControlCalls.grant(frame: frame, rights: .read, audience: "bob"))
        #expect(try Self.reload(daemon, with: Self.file(for: daemon, tenants: [Self.aliceBlock])).applied)
        let carolBlock = Self.tenantBlock("carol", uid: 60003, quota: 8)
        #expect(try Self.reload(daemon, with: Self.file(for: daemon, tenants: [Self.aliceBlock, carolBlock])).applied)
        let op = try daemon.attachOperator()
        #expect(try op.call(ControlCalls.tenants(Page())).entries.first { $0.name == "carol" }?.id == 1)  // bob's old id
        let carol = try daemon.attachTenant("carol")
        #expect(throws: Refused.self) { try carol.call(ControlCalls.redeem(token)) }
        #expect(try op.call(ControlCalls.capabilities(tenant: nil, page: Page())).entries.isEmpty)
    }

    // MARK: limits and impairments

    @Test("lowered limits apply to the next request: a second session over limits.sessions is refused")
    func limitsApplyAtOnce() throws {
        let daemon = try Self.daemon()
        let first = try daemon.attachTenant("alice")
        let report = try Self.reload(daemon,
            with: Self.file(for: daemon, tenants: [Self.aliceBlock, Self.bobBlock], extra: "[limits]\nsessions = 1\n"))
        #expect(report.applied)
        let second = try daemon.connect()
        #expect(errorCode(try second.hello(.tenant, tenant: "alice")) == .sessionLimit)
        try first.call(ControlCalls.ping)
    }

    @Test("a receive rate a reload sets applies from the next packet, and a reload that lifts it lets every packet in")
    func rateLimitsApplyAtOnce() throws {
        let daemon = try Self.daemon()
        let alice = try TenantDataPath(peer: try daemon.attachTenant("alice"))
        try alice.bindUDP(port: 7000)
        let packets = (0..<8).map { InProcessDaemon.packetFromWire(to: alice.address, port: 7000, payload: [UInt8($0)]) }
        let tenants = [Self.aliceBlock, Self.bobBlock]
        // 500 a second: a burst of 5.
        #expect(try Self.reload(daemon, with: Self.file(for: daemon, tenants: tenants,
            extra: "[limits]\nrx_packets_per_second = 500\n")).applied)
        daemon.receiveFromWire(packets)
        #expect(try alice.received() == Array(packets.prefix(5)))

        #expect(try Self.reload(daemon, with: Self.file(for: daemon, tenants: tenants)).applied)
        try alice.postFill(count: 3)
        daemon.receiveFromWire(Array(packets.suffix(3)))
        #expect(try alice.received() == Array(packets.suffix(3)))
    }

    @Test("a changed [impairment] replaces the profiles in force; an unchanged one leaves exoctl impair's alone")
    func impairmentChanges() throws {
        let daemon = try Self.daemon()
        let alice = try TenantDataPath(peer: try daemon.attachTenant("alice"))
        try alice.bindUDP(port: 7000)
        var sequence: UInt8 = 0
        /// Whether one packet from the wire reaches alice now.
        func delivered() throws -> Bool {
            sequence += 1
            let packet = InProcessDaemon.packetFromWire(to: alice.address, port: 7000, payload: [sequence])
            daemon.receiveFromWire([packet])
            return try alice.received() == [packet]
        }
        let tenants = [Self.aliceBlock, Self.bobBlock]
        let lossy = Self.file(for: daemon, tenants: tenants, extra: "[impairment.to_tenants]\nloss_ppm = 1000000\n")

        #expect(try Self.reload(daemon, with: lossy).applied)
        #expect(try !delivered())
        let op = try daemon.attachOperator()
        try op.call(ControlCalls.impair(tenant: nil, direction: .toTenants, profile: WireImpairmentProfile(), seed: 1))
        #expect(try delivered())
        #expect(try Self.reload(daemon, with: lossy).applied)  // unchanged: exoctl's "off" stays
        #expect(try delivered())
        #expect(try Self.reload(daemon, with: Self.file(for: daemon, tenants: tenants)).applied)
        #expect(try delivered())
        #expect(try Self.reload(daemon, with: lossy).applied)  // changed again: the file's loss is back
        #expect(try !delivered())
    }

    // MARK: SIGHUP and the service manager

    @Test("SIGHUP reloads, and the service manager hears RELOADING=1 with MONOTONIC_USEC, then READY=1")
    func hangUpReloads() throws {
        let daemon = try Self.daemon()
        let next = Self.file(for: daemon, tenants: [Self.aliceBlock, Self.bobBlock, Self.tenantBlock("carol", uid: 60003, quota: 4)])
        try next.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        #expect(throws: PeerFailure.self) { try daemon.attachTenant("carol") }

        daemon.service.pendingSignals = SignalRequests(reload: true)
        daemon.daemon.serve(.signals, events: .readable)

        _ = try daemon.attachTenant("carol")
        let notes = daemon.service.notifications.suffix(2)
        #expect(notes.first?.hasPrefix("RELOADING=1\nMONOTONIC_USEC=") == true)
        #expect(notes.last?.hasPrefix("READY=1") == true)
        #expect(daemon.daemon.running)
    }
}
