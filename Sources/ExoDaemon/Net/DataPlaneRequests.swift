// The data plane's control requests: openDataPath (the rings' memfd and eventfds), bind,
// unbind, and a session's end; filters (DataPlaneRequests+Filters.swift) and the operator's
// queries (DataPlaneRequests+Queries.swift). Off the packet path.

import ExoCore
import ExoPlatform
import ExoWire
import ExoPacket

/// What sessions ask of the data plane, decoded and checked by the dispatcher. Owned by the
/// data plane, on the loop thread; changes the shared state only between packets.
final class DataPlaneRequests {
    let state: DataPlaneState
    let impairment: ImpairmentStage

    init(state: DataPlaneState, impairment: ImpairmentStage) {
        self.state = state
        self.impairment = impairment
    }

    /// Opens the session's data path: the region memfd (sealed, 0600) mapped here and
    /// initialized, two eventfds; the reply carries the memfd and duplicates of both eventfds.
    func open(session: SessionID, tenant: TenantID, connectionID: UInt64, capacity: UInt32)
        throws(ExoError) -> (Response, SessionRings)
    {
        guard let nic = state.nic else { throw .noNic }
        guard state.paths[session] == nil else { throw .dataPathAlreadyOpen }
        guard let layout = try? SessionRingsLayout(capacity: capacity) else { throw .badRingCapacity }
        let path: SessionRings
        var descriptors: [OwnedDescriptor] = []
        do {
            let memfd = try FrameMemory.createSealed(name: "exokernel-rings-\(session)", size: layout.byteCount)
            path = try SessionRings(tenant: tenant, session: session, connectionID: connectionID, layout: layout,
                memfd: memfd.raw, frameCount: state.config.frameCount,
                faults: FaultReportLimiter(
                    ratePerSecond: state.config.limits.faultReportsPerSecond, now: state.clock.nanoseconds))
            descriptors.append(memfd)
            descriptors.append(try OwnedDescriptor.duplicate(path.daemonToTenant.fd))
            descriptors.append(try OwnedDescriptor.duplicate(path.tenantToDaemon.fd))
        } catch {
            Log.warning("openDataPath of session \(session) failed: \(error)")
            throw .internalError
        }
        state.paths[session] = path
        // A polled tx ring needs no kick: the tenant's flush then makes no system call.
        if state.polling { path.tx.clearWakeupRequest() }
        let info = DataPathInfo(
            layoutVersion: layout.version, ringCapacity: capacity, regionSize: UInt32(layout.byteCount),
            mtu: UInt16(clamping: nic.mtu), frameSize: state.config.frameSize,
            gateway: nic.config.hostAddress.rawValue, gatewayMAC: nic.gatewayMAC, prefixLength: nic.config.prefixLength,
            addresses: grantedAddresses(tenant), portShares: grantedShares(tenant))
        return (Response(reply: .dataPathOpened(info), descriptors: descriptors), path)
    }

    func bind(_ endpoint: WireEndpoint, session: SessionID, tenant: TenantID) throws(ExoError) -> Response {
        guard state.paths[session] != nil else { throw .noDataPath }
        let address = IPv4Address(rawValue: endpoint.address)
        if endpoint.proto == WireEndpoint.wholeAddress {
            try state.bindings.bindAddress(
                address, session: session, tenant: tenant, plan: state.plan, limit: state.config.limits.bindings)
        } else {
            guard let proto = TransportProtocol(rawValue: endpoint.proto) else { throw .notGranted }
            try state.bindings.bind(
                Endpoint(proto, address, endpoint.port), session: session, tenant: tenant, plan: state.plan,
                limit: state.config.limits.bindings)
        }
        return Response(reply: .bound(endpoint))
    }

    func unbind(_ endpoint: WireEndpoint, session: SessionID) throws(ExoError) -> Response {
        guard state.paths[session] != nil else { throw .noDataPath }
        try state.bindings.unbind(Self.target(endpoint), session: session)
        return Response(reply: .unbound(endpoint))
    }

    /// Ends a session's data plane: its bindings go, and the fill frames it had in flight
    /// are handed back to the arbiter. Returns the path so the caller can unregister it.
    func close(session: SessionID) -> SessionRings? {
        state.bindings.unbindAll(session: session)
        guard let path = state.paths.removeValue(forKey: session) else { return nil }
        let control = state.control
        path.releaseAll { frame in _ = control.apply(control.arbiter.inFlight.remove(session: session, frame: frame)) }
        state.pathsWithPendingRx.removeAll { $0 === path }
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

    /// What `tenant` may send from now: its whole addresses (each with its MAC), then each
    /// shared address once (with the daemon's MAC).
    func grantedAddresses(_ tenant: TenantID) -> [AddressGrant] {
        guard let grant = state.plan.grants.first(where: { $0.tenant == tenant }) else { return [] }
        var result = grant.addresses.map { AddressGrant(address: $0.address.rawValue, mac: $0.mac, whole: true) }
        var shared = Set<IPv4Address>()
        for share in grant.shares where shared.insert(share.address).inserted {
            result.append(AddressGrant(address: share.address.rawValue, mac: state.plan.daemonMAC, whole: false))
        }
        return result
    }

    /// `tenant`'s port and echo-identifier shares now.
    func grantedShares(_ tenant: TenantID) -> [WirePortShare] {
        guard let grant = state.plan.grants.first(where: { $0.tenant == tenant }) else { return [] }
        return grant.shares.map {
            WirePortShare(proto: $0.proto.rawValue, address: $0.address.rawValue, firstPort: $0.ports.lowerBound,
                lastPort: $0.ports.upperBound)
        }
    }
}
