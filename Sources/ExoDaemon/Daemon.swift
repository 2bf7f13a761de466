// The daemon's event loop: one thread, one epoll set (Reactor) over the control socket,
// signals, the watchdog timer, the NIC and every session. The daemon wires its parts —
// Reactor, SessionRegistry, ControlDispatcher, ControlPlane, DataPlane — and runs the loop;
// each part's rules live in the part. Nothing here blocks; slow peers are disconnected.

import Crypto
import ExoCore
import ExoPlatform
import ExoWire

/// A configured, listening exokerneld. `run()` returns when SIGTERM or SIGINT arrives.
public final class Daemon {
    let config: DaemonConfig
    let plane: ControlPlane
    let dataPlane: DataPlane
    let reactor: Reactor
    let sessions: SessionRegistry
    let accounting: TenantAccounting
    let dispatcher: ControlDispatcher
    let owed: OwedRecords
    let connections: ControlConnections
    private let service: ServiceManagerLink
    var running = true
    /// Set when a wake-up carried data-path work (NIC frames or a tenant's tx kick).
    var dataPathWoke = false
    /// Whether the NIC's descriptor is still watched (a TAP whose link went away is not read).
    var nicWatched = true

    /// Binds the control socket (refusing one a live daemon serves, replacing a stale one) and
    /// sets up signals and the watchdog. Throws a message fit for the operator.
    public init(config: DaemonConfig) throws(DaemonStartError) {
        self.config = config
        let tenants = config.tenants.enumerated().map { index, t in
            TenantSpec(id: TenantID(index), name: t.name, frameQuota: t.frameQuota, limits: config.limits)
        }
        // A key and run id of this run only: tokens of a previous run never verify.
        let arbiter = Arbiter(frameCount: config.frameCount, tenants: tenants,
            tokenKey: SymmetricKey(size: .bits256), runID: UInt64.random(in: 1...UInt64.max))
        plane = ControlPlane(config: config, arbiter: arbiter)
        let nic = try config.nic.map { nic throws(DaemonStartError) in
            try NicPort(config: nic, frameSize: Int(config.frameSize))
        }
        dataPlane = try DataPlane(config: config, control: plane, nic: nic)
        sessions = SessionRegistry(
            limits: AdmissionLimits(connections: config.maxConnections, connectionsPerUID: config.maxConnectionsPerUID),
            firstConnectionID: Reactor.firstConnectionID)
        accounting = TenantAccounting(config: config, plane: plane, dataPlane: dataPlane, sessions: sessions)
        dispatcher = ControlDispatcher(config: config, plane: plane, dataPlane: dataPlane, sessions: sessions,
            accounting: accounting, daemonUID: ProcessIdentity.uid,
            operatorGID: config.operatorGroup.flatMap(ControlDispatcher.resolve))
        owed = OwedRecords(plane: plane, dataPlane: dataPlane, sessions: sessions)
        do {
            service = try ServiceManagerLink()
            reactor = try Reactor()
            let listener = try ControlListener(path: config.socketPath)
            connections = ControlConnections(config: config, reactor: reactor, sessions: sessions, listener: listener,
                dispatcher: dispatcher, owed: owed)
            try reactor.watch(listener.socket.raw, as: .listener, for: .readable)
            try reactor.watch(service.signals.fd, as: .signals, for: .readable)
            try reactor.watch(service.watchdogTimer.fd, as: .watchdog, for: .readable)
            if let nic {
                try reactor.watch(nic.fd, as: .nic, for: .readable)
                if let monitor = nic.monitor { try reactor.watch(monitor.fd, as: .link, for: .readable) }
                try reactor.watch(dataPlane.fragments.timer.fd, as: .reassembly, for: .readable)
                try reactor.watch(dataPlane.impairmentTimer.timer.fd, as: .impairment, for: .readable)
                Log.info("NIC \(nic.name) (\(nic.config.backend), ifindex \(nic.ifindex)) at \(nic.config.hostAddress)/\(nic.config.prefixLength), mtu \(nic.mtu), gateway MAC \(nic.gatewayMAC)")
            }
        } catch let error as DaemonStartError {
            throw error
        } catch {
            throw DaemonStartError(message: "cannot set up the event loop: \(error)")
        }
        dispatcher.host = self
        connections.onClose = { [unowned self] session in self.sessionEnded(session) }
    }

    /// Serves until SIGTERM/SIGINT, then ends every session and removes the socket.
    public func run() {
        service.armWatchdog()
        Log.info("exokerneld \(DaemonVersion.string) serving \(config.socketPath): "
            + "\(config.frameCount) frames of \(config.frameSize) bytes, \(config.tenants.count) tenants")
        service.notify("READY=1\nSTATUS=serving \(config.socketPath)")
        if dataPlane.busyPoll {
            Log.info("nic.busy_poll: the loop polls the NIC and tx rings without sleeping")
            poll(idleWindow: nil)
        }
        while running {
            dataPathWoke = false
            do {
                try reactor.wait(timeoutMilliseconds: nextTimeoutMilliseconds()) { source, events in
                    self.serve(source, events: events)
                }
            } catch {
                Log.error("epoll_wait failed: \(error)")
                break
            }
            // The wake-up's data-path events were served as they were dispatched: control next.
            serveControlTurns()
            expireHandshakes()
            deliverFaults()
            // Packets moved: more are likely soon (an answer, the next request). Poll a while.
            if dataPathWoke { poll(idleWindow: Self.pollWindowNanoseconds) }
        }
        service.notify("STOPPING=1")
        shutdown()
    }

    /// Serves what one wait reported ready.
    func serve(_ source: WakeSource, events: Epoll.Events) {
        switch source {
        case .listener: connections.acceptPending()
        case .signals: if service.takeSignals() { running = false }
        case .watchdog: service.watchdogFired()
        case .nic:
            guard let nic = dataPlane.nic else { return }
            // A device that would report hangup forever (a TAP whose link is gone) is no
            // longer watched, or the loop would spin.
            if events.contains(.hangup) || events.contains(.error), !nic.deviceHungUp() {
                reactor.unwatch(nic.fd)
                nicWatched = false
                return
            }
            dataPlane.receive()
            deliverFaults()
            dataPathWoke = true
        case .reassembly: dataPlane.expireFragments()
        case .impairment:
            dataPlane.impairmentTimerFired()
            dataPathWoke = true
        case .link:
            guard let nic = dataPlane.nic else { return }
            nic.handleLinkEvents()
            if nic.isDeleted {
                // The link is gone for good: neither its TAP nor other links' events matter now.
                reactor.unwatch(nic.fd)
                if let monitor = nic.monitor { reactor.unwatch(monitor.fd) }
                nicWatched = false
            }
        case .dataPath(let id):
            guard let session = sessions[id], case .tenant(_, let arbiterSession) = session.role,
                let path = dataPlane.paths[arbiterSession]
            else { return }
            dataPlane.transmit(path)
            deliverFaults()
            dataPathWoke = true
        case .session(let id): connections.ready(id, events: events)
        }
    }

    private func shutdown() {
        endAllCaptures()
        for id in sessions.connectionIDs { connections.close(id, reason: "daemon stopping") }
        reactor.unwatch(connections.listener.socket.raw)
        connections.listener.close()
        Log.info("stopped")
    }

    // MARK: timers

    private func nextTimeoutMilliseconds() -> Int32 {
        let now = MonotonicClock.nanoseconds()
        guard let earliest = connections.nextDeadline(now: now) else { return -1 }
        guard earliest > now else { return 0 }
        return Int32(min((earliest - now) / 1_000_000 + 1, 60_000))
    }

    func expireHandshakes() { connections.expireHandshakes(now: MonotonicClock.nanoseconds()) }
}

/// Why the daemon could not start, in words for the operator.
public struct DaemonStartError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
