// Opening TCP: listeners and outgoing connections. On a shared address the daemon's `bind`
// (the authority) makes the endpoint ours first; an owned address needs none.

import ExoPacket
import ExoWire

extension NetworkRuntime {
    /// Listens on `port` of `address` (nil: the first address that grants the port).
    public func listenTCP(
        port: UInt16, address: IPv4Address? = nil, backlog: Int = 128, options: TCPConnectionOptions = .init()
    ) async throws(NetworkError) -> TCPListener {
        let (handle, endpoint, owned) = try openInStack { s throws(StackError) in
            let handle = try s.stack.listenTCP(address: address, port: port, backlog: backlog, options: options)
            guard let endpoint = s.stack.tcp.listeners.localEndpoint(handle) else { throw .staleHandle }
            return (handle, endpoint, s.owns(endpoint.address))
        }
        let wire = WireEndpoint(proto: WireEndpoint.tcp, address: endpoint.address.rawValue, port: endpoint.port)
        let binding = owned ? nil : try await bindAtDaemon(wire, for: handle)
        return TCPListener(runtime: self, handle: handle, localEndpoint: endpoint, daemonBinding: binding)
    }

    /// Connects to `remote` (from a free granted port unless `port` is given) and waits until
    /// the connection is established. Throws `.tcp(.refused)` or `.tcp(.timedOut)` when it
    /// cannot be.
    public func connectTCP(
        to remote: IPv4Endpoint, from port: UInt16 = 0, address: IPv4Address? = nil,
        options: TCPConnectionOptions = .init()
    ) async throws(NetworkError) -> TCPConnection {
        // On a shared address the daemon must route the port to us before the SYN leaves:
        // choose the port first, bind it, then connect from it.
        let (local, owned) = try openInStack { s throws(StackError) in
            let local = try s.stack.chooseTCPEndpoint(address: address, port: port, remote: remote)
            return (local, s.owns(local.address))
        }
        var binding: WireEndpoint?
        if !owned, let daemon {
            let wire = WireEndpoint(proto: WireEndpoint.tcp, address: local.address.rawValue, port: local.port)
            try await daemon.bind(wire)
            binding = wire
        }
        let opened = withStack { s, now, _ -> Result<TCPHandle, NetworkError> in
            do throws(StackError) {
                return .success(
                    try s.stack.connectTCP(to: remote, from: local.address, port: local.port, options: options, now: now))
            } catch {
                return .failure(.refused(error))
            }
        }
        let handle: TCPHandle
        do throws(NetworkError) {
            handle = try opened.get()
        } catch {
            if let binding { await daemon?.unbind(binding) }
            throw error
        }
        let connection = TCPConnection(runtime: self, handle: handle, daemonBinding: binding)
        try await connection.waitUntilEstablished()
        return connection
    }

    /// Waits (at most `limit`) until every TCP connection's bytes and FIN are acknowledged:
    /// call it before `stop()` so that a program's last bytes are not lost with its stack.
    public func drainTCP(within limit: Duration) async {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let busy = withStack { s, _, _ in s.stopped == nil && s.stack.tcp.hasUnacknowledgedData }
            if !busy { return }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
}
