// The daemon's event loop: one thread, one epoll set over the control socket, signals, the
// watchdog timer and every session. Nothing here blocks; slow peers are disconnected.

import Crypto
import ExoCore
import ExoPlatform
import ExoWire
import Glibc

/// A configured, listening exokerneld. `run()` returns when SIGTERM or SIGINT arrives.
public final class Daemon {
    private enum Token {
        static let listener: UInt64 = 1
        static let signals: UInt64 = 2
        static let watchdog: UInt64 = 3
        static let tap: UInt64 = 4
        static let link: UInt64 = 5
        static let reassembly: UInt64 = 6
        static let impairment: UInt64 = 7
        /// Set on the token of a session's tenant-to-daemon eventfd (the rest is its connection id).
        static let dataPathBit: UInt64 = 1 << 62
        static let firstConnection: UInt64 = 1_000
    }

    let config: DaemonConfig
    let plane: ControlPlane
    let dataPlane: DataPlane
    let epoll: Epoll
    private let listener: OwnedDescriptor
    private let signals: SignalFD
    private let watchdogTimer: TimerFD
    private let notifier: SystemdNotifier?
    let daemonUID = getuid()
    let operatorGID: UInt32?
    var sessions: [UInt64: ControlSession] = [:]
    private var connectionsByUID: [UInt32: Int] = [:]
    var sessionsByTenant: [TenantID: Set<UInt64>] = [:]
    /// Sessions with requests waiting, by owner, and whose turn it is (Daemon+Turns.swift).
    var turns = ControlTurns()
    private var nextConnectionID = Token.firstConnection
    /// Held open so that accept() can still take and refuse a connection at EMFILE.
    private var spareDescriptor: OwnedDescriptor?
    private var receiveBuffer: UnsafeMutableRawBufferPointer
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
        operatorGID = config.operatorGroup.flatMap(Daemon.resolve)
        receiveBuffer = .allocate(byteCount: WireLimits.maxMessageSize + 1, alignment: 16)
        do {
            signal(SIGPIPE, SIG_IGN)
            signals = try SignalFD(signals: [SIGTERM, SIGINT, SIGHUP])
            epoll = try Epoll()
            watchdogTimer = try TimerFD()
            listener = try ControlSocketPath.bindControlSocket(config.socketPath)
            try epoll.add(listener.raw, events: .readable, token: Token.listener)
            try epoll.add(signals.fd, events: .readable, token: Token.signals)
            try epoll.add(watchdogTimer.fd, events: .readable, token: Token.watchdog)
            if let nic {
                try epoll.add(nic.fd, events: .readable, token: Token.tap)
                if let monitor = nic.monitor { try epoll.add(monitor.fd, events: .readable, token: Token.link) }
                try epoll.add(dataPlane.fragments.timer.fd, events: .readable, token: Token.reassembly)
                try epoll.add(dataPlane.impairmentTimer.timer.fd, events: .readable, token: Token.impairment)
                Log.info("NIC \(nic.name) (\(nic.config.backend), ifindex \(nic.ifindex)) at \(nic.config.hostAddress)/\(nic.config.prefixLength), mtu \(nic.mtu), gateway MAC \(nic.gatewayMAC)")
            }
            spareDescriptor = Daemon.openSpare()
        } catch let error as DaemonStartError {
            throw error
        } catch {
            throw DaemonStartError(message: "cannot set up the event loop: \(error)")
        }
        notifier = SystemdNotifier.fromEnvironment()
    }

    deinit { receiveBuffer.deallocate() }

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
                try epoll.wait(timeoutMilliseconds: nextTimeoutMilliseconds()) { token, events in
                    self.dispatch(token: token, events: events)
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

    func dispatch(token: UInt64, events: Epoll.Events) {
        switch token {
        case Token.listener: acceptConnections()
        case Token.signals: handleSignals()
        case Token.watchdog:
            _ = watchdogTimer.drain()
            notify("WATCHDOG=1")
        case Token.tap:
            guard let nic = dataPlane.nic else { return }
            // A device that would report hangup forever (a TAP whose link is gone) is no
            // longer watched, or the loop would spin.
            if events.contains(.hangup) || events.contains(.error), !nic.deviceHungUp() {
                epoll.remove(nic.fd)
                nicWatched = false
                return
            }
            dataPlane.receive()
            deliverFaults()
            dataPathWoke = true
        case Token.reassembly: dataPlane.expireFragments()
        case Token.impairment:
            dataPlane.impairmentTimerFired()
            dataPathWoke = true
        case Token.link:
            guard let nic = dataPlane.nic else { return }
            nic.handleLinkEvents()
            if nic.isDeleted {
                // The link is gone for good: neither its TAP nor other links' events matter now.
                epoll.remove(nic.fd)
                if let monitor = nic.monitor { epoll.remove(monitor.fd) }
                nicWatched = false
            }
        case let token where token & Token.dataPathBit != 0:
            guard let session = sessions[token & ~Token.dataPathBit],
                case .tenant(_, let arbiterSession) = session.role,
                let path = dataPlane.paths[arbiterSession]
            else { return }
            dataPlane.transmit(path)
            deliverFaults()
            dataPathWoke = true
        default:
            guard let session = sessions[token] else { return }
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
            case SIGTERM, SIGINT:
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
        for id in Array(sessions.keys) { closeSession(id, reason: "daemon stopping") }
        epoll.remove(listener.raw)
        listener.close()
        ControlSocketPath.remove(config.socketPath)
        Log.info("stopped")
    }

    // MARK: sessions

    func register(_ session: ControlSession) {
        sessions[session.connectionID] = session
        connectionsByUID[session.credentials.uid, default: 0] += 1
    }

    /// Ends a connection: its holdings and tokens end at once (frames nobody else holds become
    /// free), queued replies are dropped, and the audiences of its dead offers are told.
    func closeSession(_ id: UInt64, reason: String) {
        guard let session = sessions.removeValue(forKey: id) else { return }
        turns.markDone(id, now: MonotonicClock.nanoseconds())
        epoll.remove(session.socket.raw)
        session.discardOutbound()
        session.socket.close()
        let uid = session.credentials.uid
        if let count = connectionsByUID[uid], count > 1 { connectionsByUID[uid] = count - 1 } else {
            connectionsByUID[uid] = nil
        }
        let who: String
        switch session.role {
        case .tenant(let tenant, let arbiterSession):
            sessionsByTenant[tenant]?.remove(id)
            if sessionsByTenant[tenant]?.isEmpty == true { sessionsByTenant[tenant] = nil }
            if sessionsByTenant[tenant] == nil { endCaptures(ofTenant: tenant) }
            if let path = dataPlane.close(session: arbiterSession) { epoll.remove(path.tenantToDaemon.fd) }
            offersChanged(plane.closeSession(arbiterSession))
            who = "tenant \(config.tenants[Int(tenant)].name)"
        case .operator:
            dropCaptures(ofConnection: id)
            who = "operator"
        case .awaitingHello: who = "not attached"
        }
        Log.info("session \(id) (\(who), pid \(session.credentials.pid) uid \(uid)) ended: \(reason)")
    }

    /// Queues a record; a peer whose queue is full is not reading and is disconnected.
    func send(_ record: OutboundRecord, to session: ControlSession) {
        guard session.enqueue(record) else {
            closeSession(session.connectionID, reason: "outbound queue full (peer not reading)")
            return
        }
        flush(session)
    }

    func flush(_ session: ControlSession) {
        do {
            var drained = try session.flush()
            // An empty queue is where owed notices and waiting fault reports may go.
            if drained, !session.closeAfterFlush, queueOwedRecords(session) { drained = try session.flush() }
            if session.closeAfterFlush {
                // The refusal is out, or the peer is not reading even that: either way it ends
                // now, so a refused peer can neither keep a slot nor make the loop spin.
                closeSession(session.connectionID, reason: drained ? "closed after refusal" : "refused peer not reading")
                return
            }
            let events: Epoll.Events = drained ? Self.sessionEvents : Self.sessionEvents.union(.writable)
            try epoll.modify(session.socket.raw, events: events, token: session.connectionID)
        } catch {
            closeSession(session.connectionID, reason: "send failed: \(error)")
        }
    }

    func attachTenant(_ session: ControlSession, tenant: TenantID, version: UInt16) -> SessionID {
        let arbiterSession = plane.arbiter.openSession(tenant: tenant)
        session.role = .tenant(tenant, session: arbiterSession)
        session.version = version
        sessionsByTenant[tenant, default: []].insert(session.connectionID)
        return arbiterSession
    }

    var sessionCount: Int { sessions.count }

    /// Whether the tenant has an attached session.
    func hasSessions(_ tenant: TenantID) -> Bool { sessionsByTenant[tenant] != nil }

    /// Registers a new data path's tenant-to-daemon eventfd and serves anything already posted.
    func register(_ path: SessionRings) {
        do {
            try epoll.add(path.tenantToDaemon.fd, events: .readable, token: path.connectionID | Token.dataPathBit)
        } catch {
            Log.warning("cannot watch the data path of session \(path.session): \(error)")
        }
    }

    func isLive(_ id: UInt64) -> Bool { sessions[id] != nil }

    // MARK: accept

    private func acceptConnections() {
        while true {
            let accepted: OwnedDescriptor?
            do {
                accepted = try UnixSeqpacket.accept(listener.raw)
            } catch {
                if error.errno == EMFILE || error.errno == ENFILE {
                    // accept4 reserves a descriptor before it looks for a connection, so EMFILE
                    // does not mean one is pending: stop once nothing was there to refuse.
                    guard refuseAtDescriptorLimit() else { return }
                    continue
                }
                if error.errno == ECONNABORTED || error.errno == EINTR { continue }
                Log.warning("accept failed: \(error)")
                return
            }
            guard let socket = accepted else { return }
            admit(socket)
        }
    }

    /// At EMFILE the pending connection would wake epoll forever: free the spare descriptor,
    /// accept the connection and close it at once, then take the spare back.
    /// Returns whether a connection was taken (and refused).
    private func refuseAtDescriptorLimit() -> Bool {
        spareDescriptor?.close()
        spareDescriptor = nil
        let refused = (try? UnixSeqpacket.accept(listener.raw)).flatMap { $0 }
        refused?.close()
        spareDescriptor = Daemon.openSpare()
        if refused != nil { Log.warning("out of file descriptors: refused a control connection") }
        return refused != nil
    }

    private func admit(_ socket: OwnedDescriptor) {
        guard let credentials = try? PeerIdentity.credentials(of: socket.raw) else {
            socket.close()
            return
        }
        let refusal: String?
        if sessions.count >= config.maxConnections {
            refusal = "daemon has \(sessions.count) connections (daemon.max_connections)"
        } else if connectionsByUID[credentials.uid, default: 0] >= config.maxConnectionsPerUID {
            refusal = "uid \(credentials.uid) has too many connections (daemon.max_connections_per_uid)"
        } else {
            refusal = nil
        }
        if let refusal {
            // Best effort: tell the peer why, without waiting for it to read.
            let bytes = Records.encode(.reply(id: 0, .error(.tooManyConnections, detail: refusal)))
            _ = try? UnixSeqpacket.send(socket.raw, bytes, descriptors: [])
            socket.close()
            return
        }
        let id = nextConnectionID
        nextConnectionID += 1
        let deadline = MonotonicClock.nanoseconds() + UInt64(config.handshakeTimeoutMilliseconds) * 1_000_000
        let session = ControlSession(connectionID: id, socket: socket, credentials: credentials,
            handshakeDeadline: deadline, outboundLimit: config.outboundQueueLimit)
        do {
            try epoll.add(socket.raw, events: Self.sessionEvents, token: id)
        } catch {
            socket.close()
            return
        }
        register(session)
    }

    /// A control session's registration: edge-triggered, since its requests are read in
    /// turns (not all at once) and one still holding some must not wake every wait.
    static let sessionEvents: Epoll.Events = [.readable, .edgeTriggered]

    // MARK: timers

    private func nextTimeoutMilliseconds() -> Int32 {
        let now = MonotonicClock.nanoseconds()
        var earliest = min(nextFaultReportTime() ?? UInt64.max, turns.nextServiceTime(now: now) ?? UInt64.max)
        for session in sessions.values {
            if case .awaitingHello(let deadline) = session.role { earliest = min(earliest, deadline) }
        }
        guard earliest != UInt64.max else { return -1 }
        guard earliest > now else { return 0 }
        return Int32(min((earliest - now) / 1_000_000 + 1, 60_000))
    }

    func expireHandshakes() {
        let now = MonotonicClock.nanoseconds()
        for session in Array(sessions.values) {
            guard case .awaitingHello(let deadline) = session.role, deadline <= now, !session.closeAfterFlush
            else { continue }
            refuse(session, requestID: 0, .handshakeTimeout, detail: "no hello within \(config.handshakeTimeoutMilliseconds) ms")
        }
    }

    /// Answers with an error; errors that close the session close it once the answer is out.
    func refuse(_ session: ControlSession, requestID: UInt32, _ error: ExoError, detail: String) {
        let bytes = Records.encode(.reply(id: requestID, .error(error, detail: detail)), version: session.version)
        if error.closesSession { session.closeAfterFlush = true }
        send(OutboundRecord(bytes: bytes, descriptors: []), to: session)
    }

    var receive: UnsafeMutableRawBufferPointer { receiveBuffer }

    private static func openSpare() -> OwnedDescriptor? {
        let fd = open("/dev/null", O_RDONLY | O_CLOEXEC)
        return fd >= 0 ? OwnedDescriptor(adopting: fd) : nil
    }

    private static func resolve(_ group: OperatorGroup) -> UInt32? {
        switch group {
        case .gid(let gid): return gid
        case .name(let name):
            guard let entry = getgrnam(name) else {
                Log.warning("operator group '\(name)' does not exist: only root may use exoctl")
                return nil
            }
            return entry.pointee.gr_gid
        }
    }
}

/// Why the daemon could not start, in words for the operator.
public struct DaemonStartError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
