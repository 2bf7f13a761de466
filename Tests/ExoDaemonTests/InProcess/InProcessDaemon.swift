// The whole daemon — its loop, control socket, sessions, dispatcher and planes — built in the
// test process without root: the NIC is a MemoryDevice, the data plane's clock is virtual,
// the control socket lives in a fresh directory under /tmp, and the service-manager link
// blocks no signal and talks to no systemd. The test drives it as swift-nio's
// EmbeddedChannel is driven: `turn()` serves whatever is ready without waiting,
// `advanceTime(by:)` moves the virtual clock and serves the timers it makes due.

import ExoCore
import ExoPacket
import ExoPlatform
import ExoWire
import Foundation
import Testing

@testable import ExoDaemon

/// What a test's daemon tells the service manager, kept instead of sent; no signals, no watchdog.
final class RecordingServiceLink: ServiceManagement {
    private(set) var notifications: [String] = []
    var signalDescriptor: Int32? { nil }
    var watchdogDescriptor: Int32? { nil }
    func armWatchdog() {}
    /// Whether each watchdog tick pinged the service manager, oldest first.
    private(set) var watchdogPings: [Bool] = []
    func watchdogFired(ping: Bool) { watchdogPings.append(ping) }
    /// What the next `takeSignals` reports (a test's stand-in for SIGHUP or SIGTERM).
    var pendingSignals = SignalRequests()
    func takeSignals() -> SignalRequests {
        defer { pendingSignals = SignalRequests() }
        return pendingSignals
    }
    func notify(_ state: String) { notifications.append(state) }
}

/// One running daemon with tenants "alice" (10.9.0.2) and "bob" (10.9.0.3) on a 10.9.0.0/24
/// link whose host side, the wire's peer, is 10.9.0.1. Both tenants may be attached by the
/// test's own uid (as root, through `daemon.allow_root_tenants`); the same uid is the
/// daemon's, so it may attach as an operator too. Stopped when released.
final class InProcessDaemon {
    static let hostAddress = IPv4Address(10, 9, 0, 1)
    static let peerMAC = MACAddress(0x02, 0x00, 0x00, 0x00, 0x00, 0x01)
    static let frameSize: UInt32 = 2048

    let config: DaemonConfig
    let device = MemoryDevice(slotSize: Int(InProcessDaemon.frameSize))
    let clock = DataPlaneClock.virtual()
    let service = RecordingServiceLink()
    let daemon: Daemon
    private let directory: String

    var socketPath: String { config.socketPath }
    /// The file a reload reads (absent until a test writes it).
    var configPath: String { "\(directory)/exokerneld.toml" }

    /// Builds and starts the daemon; `adjust` changes the configuration first.
    init(frameCount: UInt32 = 64, adjust: (inout DaemonConfig) -> Void = { _ in }) throws {
        directory = "/tmp/exo-inprocess-\(UUID().uuidString.prefix(18))"
        let uid = ProcessIdentity.uid
        var config = DaemonConfig(
            socketPath: "\(directory)/control.sock", allowRootTenants: uid == 0, frameCount: frameCount,
            frameSize: Self.frameSize,
            tenants: [
                TenantConfig(name: "alice", uids: [uid], frameQuota: 32, addresses: [IPv4Address(10, 9, 0, 2)]),
                TenantConfig(name: "bob", uids: [uid], frameQuota: 32, addresses: [IPv4Address(10, 9, 0, 3)]),
            ],
            nic: NicConfig(
                backend: NicConfig.tapBackend, name: "mem0", mtu: 1500, hostAddress: Self.hostAddress,
                prefixLength: 24, gatewayMAC: Self.peerMAC))
        adjust(&config)
        self.config = config
        var environment = DaemonEnvironment()
        environment.nic = .memory(device)
        environment.clock = clock
        environment.configSource = ConfigSource(path: "\(directory)/exokerneld.toml")
        let service = self.service
        environment.makeServiceManagement = { () throws(SystemError) -> any ServiceManagement in service }
        daemon = try Daemon(config: config, environment: environment)
        daemon.start()
    }

    deinit {
        daemon.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// One pass of the daemon's loop that waits for nothing: accepts, reads and answers what
    /// clients sent, takes what the device holds, serves kicked tx rings.
    func turn() {
        do { try daemon.turn(timeoutMilliseconds: 0) } catch { Issue.record("the daemon's turn failed: \(error)") }
    }

    /// One pass that first waits, up to `limit` ms, for what the daemon would wake for next
    /// (an owner's turn when the fairness budget held its requests back, a hello deadline).
    func turnAtNextDeadline(limit: Int32 = 100) {
        let next = daemon.nextTimeoutMilliseconds()
        do {
            try daemon.turn(timeoutMilliseconds: next < 0 ? limit : min(next, limit))
        } catch {
            Issue.record("the daemon's turn failed: \(error)")
        }
    }

    /// Moves the virtual clock, serves the timers that are due by it, then runs a turn.
    func advanceTime(by nanoseconds: UInt64) {
        clock.advance(by: nanoseconds)
        daemon.serveDataPlaneTimers()
        turn()
    }

    /// The systemd watchdog timer fires (the in-process service link records the ping).
    func watchdogTick() -> Bool {
        daemon.serve(.watchdog, events: .readable)
        return service.watchdogPings.last ?? false
    }

    /// Packets arrive from the wire; one turn takes them.
    func receiveFromWire(_ packets: [[UInt8]]) {
        for packet in packets { device.inject(packet) }
        turn()
    }

    /// Packets the daemon put on the wire since the last call, oldest first.
    func sentToWire() -> [[UInt8]] { device.takeSent() }

    /// A connected session that has not said hello.
    func connect() throws -> ControlPeer { try ControlPeer(connectingTo: self) }

    /// A session attached as `tenant`.
    func attachTenant(_ tenant: String) throws -> ControlPeer {
        let peer = try connect()
        let reply = try peer.hello(.tenant, tenant: tenant)
        guard case .helloAccepted = reply else { throw PeerFailure("hello as \(tenant) answered \(reply)") }
        return peer
    }

    /// A session attached as an operator (the daemon's own uid).
    func attachOperator() throws -> ControlPeer {
        let peer = try connect()
        let reply = try peer.hello(.operator)
        guard case .helloAccepted = reply else { throw PeerFailure("operator hello answered \(reply)") }
        return peer
    }

    /// A UDP packet from the wire's peer to `tenant`'s address and `port`.
    static func packetFromWire(to tenant: AddressGrant, port: UInt16, payload: [UInt8]) -> [UInt8] {
        TestPackets.udp(
            from: peerMAC, hostAddress, 4000, to: tenant.mac,
            IPv4Address(rawValue: tenant.address), port, payload: payload)
    }

    /// A UDP packet from `tenant`'s address and `port` to the wire's peer, port 4000.
    static func packetToWire(from tenant: AddressGrant, port: UInt16, payload: [UInt8]) -> [UInt8] {
        TestPackets.udp(
            from: tenant.mac, IPv4Address(rawValue: tenant.address), port,
            to: peerMAC, hostAddress, 4000, payload: payload)
    }
}
