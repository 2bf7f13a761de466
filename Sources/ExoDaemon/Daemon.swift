// The daemon's event loop: one thread, one epoll set (Reactor) over the control socket,
// signals, the watchdog timer, the NIC and every session. The daemon wires its parts —
// Reactor, SessionRegistry, ControlDispatcher, ControlPlane, DataPlane — and runs the loop;
// each part's rules live in the part. Nothing here blocks; slow peers are disconnected.

import ExoCore
import ExoPlatform
import ExoVersion
import ExoWire

/// A configured, listening exokerneld. `run()` returns when SIGTERM or SIGINT arrives.
public final class Daemon {
    /// The configuration in force (a reload replaces it: ConfigReloader).
    var config: DaemonConfig { reloader.config }
    let plane: ControlPlane
    let dataPlane: DataPlane
    let reactor: Reactor
    let sessions: SessionRegistry
    let accounting: TenantAccounting
    let dispatcher: ControlDispatcher
    let owed: OwedRecords
    let connections: ControlConnections
    let service: any ServiceManagement
    let reloader: ConfigReloader
    var running = true
    /// Set when a wake-up carried data-path work (NIC frames or a tenant's tx kick).
    var dataPathWoke = false
    /// The NIC's descriptor and link monitor in the epoll set.
    let nicWatch: NicWatch
    /// Withholds the watchdog ping while the data path is stuck (DataPathWatchdog.swift).
    var dataPathWatchdog = DataPathWatchdog()
    let metrics: MetricsServer?  // the Prometheus endpoint, with a [metrics] table
    /// `stop()` ran: the socket file is no longer this daemon's to remove.
    private var stopped = false
    /// Why the daemon stopped on its own with a failure (`exokerneld` then exits 1); nil
    /// after a requested stop.
    public private(set) var failure: String?

    /// Binds the control socket (refusing one a live daemon serves, replacing a stale one) and
    /// sets up signals and the watchdog. Throws a message fit for the operator. `source` is
    /// what SIGHUP and `exoctl reload` read again (nil: a reload is refused).
    public convenience init(config: DaemonConfig, source: ConfigSource? = nil) throws(DaemonStartError) {
        var environment = DaemonEnvironment()
        environment.configSource = source
        try self.init(config: config, environment: environment)
    }

    /// The daemon over `environment`: the host's in `exokerneld`, memory and a virtual clock
    /// in an in-process test (Tests/ExoDaemonTests/InProcess/).
    init(config: DaemonConfig, environment: DaemonEnvironment) throws(DaemonStartError) {
        plane = ControlPlane(config: config)
        let nic: NicPort?
        switch environment.nic {
        case .configured:
            nic = try config.nic.map { nic throws(DaemonStartError) in
                try NicPort(config: nic, frameSize: Int(config.frameSize))
            }
        case .memory(let device):
            guard let nicConfig = config.nic else {
                throw DaemonStartError(message: "an in-memory device needs a [nic] section for its addresses")
            }
            nic = NicPort(memory: device, config: nicConfig, frameSize: Int(config.frameSize))
        }
        dataPlane = try DataPlane(config: config, control: plane, nic: nic, clock: environment.clock)
        sessions = SessionRegistry(
            limits: AdmissionLimits(connections: config.maxConnections, connectionsPerUID: config.maxConnectionsPerUID),
            firstConnectionID: Reactor.firstConnectionID)
        accounting = TenantAccounting(plane: plane, dataPlane: dataPlane, sessions: sessions)
        dispatcher = ControlDispatcher(config: config, plane: plane, dataPlane: dataPlane, sessions: sessions,
            accounting: accounting, daemonUID: environment.daemonUID,
            operatorGID: config.operatorGroup.flatMap(ControlDispatcher.resolve))
        owed = OwedRecords(plane: plane, dataPlane: dataPlane, sessions: sessions)
        do {
            service = try environment.makeServiceManagement()
            reactor = try Reactor()
            nicWatch = NicWatch(reactor: reactor, dataPlane: dataPlane)
            let listener = try ControlListener(path: config.socketPath)
            metrics = try MetricsServer.make(config.metrics, reactor: reactor)
            connections = ControlConnections(config: config, reactor: reactor, sessions: sessions, listener: listener,
                dispatcher: dispatcher, owed: owed)
            reloader = ConfigReloader(
                config: config, source: environment.configSource, service: service, plane: plane, dataPlane: dataPlane,
                sessions: sessions, dispatcher: dispatcher, connections: connections, owed: owed)
            try reactor.watch(listener.socket.raw, as: .listener, for: .readable)
            try reactor.watch(dataPlane.revocationTimer.timer.fd, as: .revocations, for: .readable)
            if let fd = service.signalDescriptor { try reactor.watch(fd, as: .signals, for: .readable) }
            if let fd = service.watchdogDescriptor { try reactor.watch(fd, as: .watchdog, for: .readable) }
            if let nic {
                try nicWatch.register(nic)
                try reactor.watch(dataPlane.fragments.timer.fd, as: .reassembly, for: .readable)
                try reactor.watch(dataPlane.impairmentTimer.timer.fd, as: .impairment, for: .readable)
                try reactor.watch(dataPlane.state.rates.timer.timer.fd, as: .rates, for: .readable)
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
        start()
        if dataPlane.busyPoll {
            Log.info("nic.busy_poll: the loop polls the NIC and tx rings without sleeping")
            poll(idleWindow: nil)
        }
        while running {
            do {
                try turn(timeoutMilliseconds: nextTimeoutMilliseconds())
            } catch {
                Log.error("epoll_wait failed: \(error)")
                break
            }
        }
        stop()
    }

    /// Arms the watchdog and tells the service manager the daemon is ready. `run()` calls
    /// it; an in-process test calls it before its first `turn`.
    func start() {
        service.armWatchdog()
        Log.info("exokerneld \(ExoVersion.number) serving \(config.socketPath): "
            + "\(config.frameCount) frames of \(config.frameSize) bytes, \(config.tenants.count) tenants")
        service.notify("READY=1\nSTATUS=serving \(config.socketPath)")
    }

    /// One pass of the loop: waits up to `timeoutMilliseconds` (0: not at all) for what is
    /// ready and serves it, then control requests in fair turns, overdue hellos and waiting
    /// fault reports; after packets, polls the data path until it has been idle for the poll
    /// window. An in-process test drives the daemon by calling this with 0 between its
    /// clients' steps (swift-nio's EmbeddedChannel `runPendingTasks` is the model).
    func turn(timeoutMilliseconds: Int32) throws(SystemError) {
        dataPathWoke = false
        try reactor.wait(timeoutMilliseconds: timeoutMilliseconds) { source, events in
            self.serve(source, events: events)
        }
        // A device with no descriptor wakes no wait: what it holds is taken on each turn.
        if nicWatch.hasUnwatchedPackets { serve(.nic, events: .readable) }
        // The wake-up's data-path events were served as they were dispatched: control next.
        serveControlTurns()
        expireHandshakes()
        deliverFaults()
        // Packets moved: more are likely soon (an answer, the next request). Poll a while.
        if dataPathWoke { poll(idleWindow: DataPathPoller.windowNanoseconds) }
    }

    /// Polls the data path (DataPathPoller) with the loop's other work in between.
    func poll(idleWindow: UInt64?) {
        DataPathPoller(dataPlane: dataPlane).run(
            idleWindow: idleWindow, isRunning: { running }, afterWork: deliverFaults,
            serveOthers: {
                dataPathWoke = false
                do {
                    try reactor.wait(timeoutMilliseconds: 0) { source, events in self.serve(source, events: events) }
                } catch {
                    Log.error("epoll_wait failed: \(error)")
                    running = false
                }
                serveControlTurns()
                expireHandshakes()
                return dataPathWoke
            })
    }

    /// Serves the data plane's timers (reassembly expiry, impairment release) as if they had
    /// fired: each does what is due by the data plane's clock and re-arms for the rest. A
    /// test calls it after advancing the virtual clock, whose deadlines no timerfd follows.
    func serveDataPlaneTimers() {
        serve(.revocations, events: .readable)
        guard dataPlane.nic != nil else { return }
        serve(.reassembly, events: .readable)
        serve(.impairment, events: .readable)
        serve(.rates, events: .readable)
    }

    /// Ends every session, closes the listener and removes the socket. After `run()`'s loop;
    /// an in-process test calls it to end the daemon.
    func stop() {
        guard !stopped else { return }
        stopped = true
        running = false
        service.notify("STOPPING=1")
        shutdown()
    }

    /// Serves what one wait reported ready.
    func serve(_ source: WakeSource, events: Epoll.Events) {
        switch source {
        case .listener: connections.acceptPending()
        case .signals:
            let requests = service.takeSignals()
            if requests.stop {
                running = false
            } else if requests.reload {
                reloader.reload()
            }
        case .watchdog: service.watchdogFired(ping: dataPlane.watchdogTick(&dataPathWatchdog, nicWatched: nicWatch.watched))
        case .nic:
            guard nicWatch.deviceReady(events) else { return }
            deliverFaults()
            dataPathWoke = true
        case .reassembly: dataPlane.expireFragments()
        case .impairment:
            dataPlane.impairmentTimerFired()
            dataPathWoke = true
        case .rates:
            dataPlane.rateTimerFired()
            dataPathWoke = true
        case .revocations: dispatcher.revocations.deadlinePassed()
        case .link: if let reason = nicWatch.linkChanged() { (failure, running) = (reason, false) }
        case .dataPath(let id):
            guard let session = sessions[id], case .tenant(_, let arbiterSession) = session.role,
                let path = dataPlane.paths[arbiterSession]
            else { return }
            dataPlane.transmit(path)
            deliverFaults()
            dataPathWoke = true
        case .session(let id): connections.ready(id, events: events)
        case .metricsListener, .metricsConnection: metrics?.serve(source, events: events, snapshot: MetricsSnapshotReader(self).snapshot)
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

    /// How long the loop may sleep: until the next hello deadline, owner's turn, held-back
    /// fault report or metrics connection's deadline (-1: until something happens).
    func nextTimeoutMilliseconds() -> Int32 {
        let now = MonotonicClock.nanoseconds()
        guard let earliest = MetricsServer.earlier(connections.nextDeadline(now: now), metrics?.nextDeadline) else { return -1 }
        guard earliest > now else { return 0 }
        return Int32(min((earliest - now) / 1_000_000 + 1, 60_000))
    }

    func expireHandshakes() { connections.expireHandshakes(now: MonotonicClock.nanoseconds()); metrics?.expire() }
}

/// Why the daemon could not start, in words for the operator.
public struct DaemonStartError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
