// The data plane's state and control requests: the NIC, the address plan, the binding table,
// every session's data path and the per-tenant counters; openDataPath, bind and unbind.

import ExoCore
import ExoPlatform
import ExoWire
import ExoPacket
import Glibc

/// Everything the packet path reads. Owned by the daemon's loop thread; never shared.
final class DataPlane {
    let nic: NicPort?
    let plan: AddressPlan
    let config: DaemonConfig
    let control: ControlPlane
    var bindings = BindingTable()
    /// Data paths by arbiter session.
    var paths: [SessionID: SessionRings] = [:]
    var counters: [TenantCounters]
    /// Paths with received frames not yet published on rx (`publishReceived` empties it).
    var pathsWithPendingRx: [SessionRings] = []
    /// Paths whose limiter holds faults not yet reported (`SessionRings.listedForFaults`);
    /// the daemon sends their reports after each wake-up, as rate and queue allow.
    var pathsWithWaitingFaults: [SessionRings] = []
    let bounds: FrameBounds
    /// Running captures (exoctl capture); see CaptureTable.swift.
    var captures = CaptureTable()
    /// Fragment reassembly (DataPlane+Reassembly.swift).
    let fragments: DaemonReassembly
    /// `nic.busy_poll`: the loop polls the rings for good (Daemon+Polling.swift).
    let busyPoll: Bool
    /// The loop is polling (after a wake-up with packets, or for good): tx rings ask tenants
    /// for no kick (DataPlane+Polling.swift).
    var polling = false
    /// Fault injection between the NIC and the tenants (Impairment/); off unless configured
    /// or set by `exoctl impair`.
    let impairment: TrafficImpairment
    let impairmentTimer: ImpairmentReleaseTimer
    /// What the timers read (reassembly, impairment): monotonic, or virtual in tests.
    let clock: DataPlaneClock

    init(config: DaemonConfig, control: ControlPlane, nic: NicPort?, clock: DataPlaneClock = .monotonic())
        throws(DaemonStartError)
    {
        self.config = config
        self.clock = clock
        self.control = control
        self.nic = nic
        do {
            plan = try config.addressPlan()
        } catch {
            throw DaemonStartError(message: "address plan refused: \(error)")
        }
        counters = Array(repeating: TenantCounters(), count: config.tenants.count)
        bounds = FrameBounds(frameCount: config.frameCount, frameSize: config.frameSize)
        do {
            fragments = try DaemonReassembly(
                frameSize: Int(config.frameSize), perTenant: config.limits.reassemblyDatagrams,
                tenants: config.tenants.count)
        } catch {
            throw DaemonStartError(message: "cannot create the reassembly timer: \(error)")
        }
        busyPoll = config.nic?.busyPoll ?? false
        pathsWithWaitingFaults.reserveCapacity(64)
        impairment = TrafficImpairment(
            tenantCount: config.tenants.count, heldPackets: config.impairment.heldPackets,
            slotSize: Int(config.frameSize))
        do { impairmentTimer = try ImpairmentReleaseTimer() } catch {
            throw DaemonStartError(message: "cannot create the impairment timer: \(error)")
        }
        pathsWithPendingRx.reserveCapacity(64)
        applyConfiguredImpairment()
    }

    // MARK: control requests

    /// Opens the session's data path: the region memfd (sealed, 0600) mapped here and
    /// initialized, two eventfds; the reply carries the memfd and duplicates of both eventfds.
    func open(session: SessionID, tenant: TenantID, connectionID: UInt64, capacity: UInt32)
        throws(ExoError) -> (Response, SessionRings)
    {
        guard let nic else { throw .noNic }
        guard paths[session] == nil else { throw .dataPathAlreadyOpen }
        guard let layout = try? SessionRingsLayout(capacity: capacity) else { throw .badRingCapacity }
        let path: SessionRings
        var descriptors: [OwnedDescriptor] = []
        do {
            let memfd = try FrameMemory.createSealed(name: "exokernel-rings-\(session)", size: layout.byteCount)
            path = try SessionRings(tenant: tenant, session: session, connectionID: connectionID, layout: layout,
                memfd: memfd.raw, frameCount: config.frameCount,
                faults: FaultReportLimiter(ratePerSecond: config.limits.faultReportsPerSecond, now: clock.nanoseconds))
            descriptors.append(memfd)
            descriptors.append(try Self.duplicate(path.daemonToTenant.fd))
            descriptors.append(try Self.duplicate(path.tenantToDaemon.fd))
        } catch {
            Log.warning("openDataPath of session \(session) failed: \(error)")
            throw .internalError
        }
        paths[session] = path
        // A polled tx ring needs no kick: the tenant's flush then makes no system call.
        if polling { path.tx.clearWakeupRequest() }
        let info = DataPathInfo(
            layoutVersion: layout.version, ringCapacity: capacity, regionSize: UInt32(layout.byteCount),
            mtu: UInt16(clamping: nic.mtu), frameSize: config.frameSize,
            gateway: nic.config.hostAddress.rawValue, gatewayMAC: nic.gatewayMAC, prefixLength: nic.config.prefixLength,
            addresses: grantedAddresses(tenant), portShares: grantedShares(tenant))
        return (Response(reply: .dataPathOpened(info), descriptors: descriptors), path)
    }

    func bind(_ endpoint: WireEndpoint, session: SessionID, tenant: TenantID) throws(ExoError) -> Response {
        guard paths[session] != nil else { throw .noDataPath }
        let address = IPv4Address(rawValue: endpoint.address)
        if endpoint.proto == WireEndpoint.wholeAddress {
            try bindings.bindAddress(address, session: session, tenant: tenant, plan: plan, limit: config.limits.bindings)
        } else {
            guard let proto = TransportProtocol(rawValue: endpoint.proto) else { throw .notGranted }
            try bindings.bind(
                Endpoint(proto, address, endpoint.port), session: session, tenant: tenant, plan: plan,
                limit: config.limits.bindings)
        }
        return Response(reply: .bound(endpoint))
    }

    func unbind(_ endpoint: WireEndpoint, session: SessionID) throws(ExoError) -> Response {
        guard paths[session] != nil else { throw .noDataPath }
        try bindings.unbind(Self.target(endpoint), session: session)
        return Response(reply: .unbound(endpoint))
    }

    /// Ends a session's data plane: its bindings go, and the fill frames it had in flight
    /// are handed back to the arbiter. Returns the path so the caller can unregister it.
    func close(session: SessionID) -> SessionRings? {
        bindings.unbindAll(session: session)
        guard let path = paths.removeValue(forKey: session) else { return nil }
        path.releaseAll { frame in _ = control.apply(control.arbiter.removeInFlight(session: session, frame: frame)) }
        pathsWithPendingRx.removeAll { $0 === path }
        return path
    }

    static func target(_ endpoint: WireEndpoint) throws(ExoError) -> BindingTarget {
        let address = IPv4Address(rawValue: endpoint.address)
        if endpoint.proto == WireEndpoint.wholeAddress { return .address(address) }
        guard let proto = TransportProtocol(rawValue: endpoint.proto) else { throw .notBound }
        return .endpoint(Endpoint(proto, address, endpoint.port))
    }

    static func wire(_ target: BindingTarget) -> WireEndpoint {
        switch target {
        case .address(let a): .whole(a.rawValue)
        case .endpoint(let e): WireEndpoint(proto: e.proto.rawValue, address: e.address.rawValue, port: e.port)
        }
    }

    private func grantedAddresses(_ tenant: TenantID) -> [AddressGrant] {
        guard let grant = plan.grants.first(where: { $0.tenant == tenant }) else { return [] }
        var result = grant.addresses.map { AddressGrant(address: $0.address.rawValue, mac: $0.mac, whole: true) }
        var shared = Set<IPv4Address>()
        for share in grant.shares where shared.insert(share.address).inserted {
            result.append(AddressGrant(address: share.address.rawValue, mac: plan.daemonMAC, whole: false))
        }
        return result
    }

    private func grantedShares(_ tenant: TenantID) -> [WirePortShare] {
        guard let grant = plan.grants.first(where: { $0.tenant == tenant }) else { return [] }
        return grant.shares.map {
            WirePortShare(proto: $0.proto.rawValue, address: $0.address.rawValue, firstPort: $0.ports.lowerBound,
                lastPort: $0.ports.upperBound)
        }
    }

    private static func duplicate(_ fd: Int32) throws(SystemError) -> OwnedDescriptor {
        let copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)
        guard copy >= 0 else { throw SystemError(operation: "dup", errno: errno) }
        return OwnedDescriptor(adopting: copy)
    }
}
