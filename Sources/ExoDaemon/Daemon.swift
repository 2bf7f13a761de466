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
    let listener: OwnedDescriptor
    private let signals: SignalFD
    private let watchdogTimer: TimerFD
    private let notifier: SystemdNotifier?
    /// Sessions with requests waiting, by owner, and whose turn it is (Daemon+Turns.swift).
    var turns = ControlTurns()
    /// Held open so that accept() can still take and refuse a connection at EMFILE.
    var spareDescriptor: OwnedDescriptor?
    let receive: UnsafeMutableRawBufferPointer
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
            operatorGID: config.operatorGroup.flatMap(Daemon.resolve))
        receive = .allocate(byteCount: WireLimits.maxMessageSize + 1, alignment: 16)
        do {
            ProcessIdentity.ignoreBrokenPipe()
            signals = try SignalFD(signals: [SignalNumber.terminate, SignalNumber.interrupt, SignalNumber.hangUp])
            reactor = try Reactor()
            watchdogTimer = try TimerFD()
            listener = try ControlSocketPath.bindControlSocket(config.socketPath)
            try reactor.watch(listener.raw, as: .listener, for: .readable)
            try reactor.watch(signals.fd, as: .signals, for: .readable)
            try reactor.watch(watchdogTimer.fd, as: .watchdog, for: .readable)
            if let nic {
                try reactor.watch(nic.fd, as: .nic, for: .readable)
                try reactor.watch(nic.monitor.fd, as: .link, for: .readable)
                try reactor.watch(dataPlane.fragments.timer.fd, as: .reassembly, for: .readable)
                try reactor.watch(dataPlane.impairmentTimer.timer.fd, as: .impairment, for: .readable)
                Log.info("NIC \(nic.name) (\(nic.config.backend), ifindex \(nic.ifindex)) at \(nic.config.hostAddress)/\(nic.config.prefixLength), mtu \(nic.mtu), gateway MAC \(nic.gatewayMAC)")
            }
            spareDescriptor = OwnedDescriptor.openNullDevice()
        } catch let error as DaemonStartError {
            throw error
        } catch {
            throw DaemonStartError(message: "cannot set up the event loop: \(error)")
        }
        notifier = SystemdNotifier.fromEnvironment()
        dispatcher.host = self
    }

    deinit { receive.deallocate() }

    /// Serves until SIGTERM/SIGINT, then ends every session and removes the socket.
    public func run() {
        if let interval = SystemdNotifier.watchdogIntervalMicroseconds(), interval > 0 {
            // Ping at half the interval, as sd_watchdog_enabled(3) recommends.
            let half = interval * 500
            watchdogTimer.arm(initialNanoseconds: half, intervalNanoseconds: half)
        }
        Log.info("exokerneld \(DaemonVersion.string) serving \(config.socketPath): "
            + "\(config.frameCount) frames of \(config.frameSize) bytes, \(config.tenants.count) tenants")
        notify("READY=1\nSTATUS=serving \(config.socketPath)")
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
        notify("STOPPING=1")
        shutdown()
    }

    /// Serves what one wait reported ready.
    func serve(_ source: WakeSource, events: Epoll.Events) {
        switch source {
        case .listener: acceptConnections()
        case .signals: handleSignals()
        case .watchdog:
            _ = watchdogTimer.drain()
            notify("WATCHDOG=1")
        case .nic:
            guard let nic = dataPlane.nic else { return }
            if events.contains(.hangup) || events.contains(.error) {
                switch nic.device {
                case .tap:
                    // A TAP whose link is gone reports hangup forever: stop watching it, or the
                    // loop would spin.
                    reactor.unwatch(nic.fd)
                    nicWatched = false
                    return
                case .packet(let socket):
                    // The link went down or away (ENETDOWN): reading the error clears it, so
                    // it is reported once; the link monitor says whether the link is gone.
                    if let error = socket.takeError() { Log.warning("packet socket on \(nic.name): \(error)") }
                }
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
                reactor.unwatch(nic.monitor.fd)
                nicWatched = false
            }
        case .dataPath(let id):
            guard let session = sessions[id], case .tenant(_, let arbiterSession) = session.role,
                let path = dataPlane.paths[arbiterSession]
            else { return }
            dataPlane.transmit(path)
            deliverFaults()
            dataPathWoke = true
        case .session(let id):
            guard let session = sessions[id] else { return }
            if events.contains(.writable) { flush(session) }
            // Edge-triggered: the session's requests wait until its owner's turn
            // (serveControlTurns), however many there are.
            if events.contains(.readable) || events.contains(.hangup) || events.contains(.error) {
                turns.markWaiting(session.connectionID, owner: owner(of: session))
            }
        }
    }

    private func handleSignals() {
        while let signo = signals.next() {
            switch signo {
            case SignalNumber.terminate, SignalNumber.interrupt:
                Log.info("signal \(signo): shutting down")
                running = false
            default:
                Log.info("signal \(signo) ignored (configuration reload is not supported; restart instead)")
            }
        }
    }

    private func notify(_ state: String) {
        guard let notifier else { return }
        do { try notifier.send(state) } catch { Log.warning("sd_notify failed: \(error)") }
    }

    private func shutdown() {
        endAllCaptures()
        for id in sessions.connectionIDs { closeSession(id, reason: "daemon stopping") }
        reactor.unwatch(listener.raw)
        listener.close()
        ControlSocketPath.remove(config.socketPath)
        Log.info("stopped")
    }

    // MARK: timers

    private func nextTimeoutMilliseconds() -> Int32 {
        let now = MonotonicClock.nanoseconds()
        var earliest = min(nextFaultReportTime() ?? UInt64.max, turns.nextServiceTime(now: now) ?? UInt64.max)
        for session in sessions.all {
            if case .awaitingHello(let deadline) = session.role { earliest = min(earliest, deadline) }
        }
        guard earliest != UInt64.max else { return -1 }
        guard earliest > now else { return 0 }
        return Int32(min((earliest - now) / 1_000_000 + 1, 60_000))
    }

    func expireHandshakes() {
        let now = MonotonicClock.nanoseconds()
        for session in sessions.all {
            guard case .awaitingHello(let deadline) = session.role, deadline <= now, !session.closeAfterFlush
            else { continue }
            refuse(session, requestID: 0, .handshakeTimeout, detail: "no hello within \(config.handshakeTimeoutMilliseconds) ms")
        }
    }

    private static func resolve(_ group: OperatorGroup) -> UInt32? {
        switch group {
        case .gid(let gid): return gid
        case .name(let name):
            guard let gid = ProcessIdentity.groupID(named: name) else {
                Log.warning("operator group '\(name)' does not exist: only root may use exoctl")
                return nil
            }
            return gid
        }
    }
}

/// Why the daemon could not start, in words for the operator.
public struct DaemonStartError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
