// Opening TCP: listeners and outgoing connections. On a shared address the daemon's `bind`
// (the authority) makes the endpoint ours first; an owned address needs none.

import ExoPacket
import ExoWire

extension NetworkRuntime {
    /// Listens on `port` of `address` (nil: the first address that grants the port).
    public func listenTCP(
        port: UInt16, address: IPv4Address? = nil, backlog: Int = 128, options: TCPConnectionOptions = .init()
    ) async throws(NetworkError) -> TCPListener {
        let opened = withStack { s, _, _ -> Result<(TCPListenerHandle, IPv4Endpoint, Bool), NetworkError> in
            if let stopped = s.stopped { return .failure(stopped) }
            do throws(StackError) {
                let handle = try s.stack.listenTCP(address: address, port: port, backlog: backlog, options: options)
                guard let endpoint = s.stack.localEndpoint(handle) else { throw .staleHandle }
                return .success((handle, endpoint, s.owns(endpoint.address)))
            } catch {
                return .failure(.refused(error))
            }
        }
        let (handle, endpoint, owned) = try opened.get()
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
        let chosen = withStack { s, now, _ -> Result<(IPv4Endpoint, Bool), NetworkError> in
            if let stopped = s.stopped { return .failure(stopped) }
            do throws(StackError) {
                let local = try s.stack.chooseTCPEndpoint(address: address, port: port, remote: remote)
                return .success((local, s.owns(local.address)))
            } catch {
                return .failure(.refused(error))
            }
        }
        let (local, owned) = try chosen.get()
        var binding: WireEndpoint?
        if !owned, let session {
            let wire = WireEndpoint(proto: WireEndpoint.tcp, address: local.address.rawValue, port: local.port)
            do throws(ExOSError) {
                try await session.bind(wire)
            } catch {
                throw .bindRefused(error)
            }
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
            if let binding, let session { _ = try? await session.unbind(binding) }
            throw error
        }
        let connection = TCPConnection(runtime: self, handle: handle, daemonBinding: binding)
        try await waitUntilEstablished(handle)
        return connection
    }

    private func waitUntilEstablished(_ handle: TCPHandle) async throws(NetworkError) {
        while true {
            let result = await suspend(
                { s, waiter, _ -> Result<Bool?, NetworkError>? in
                    switch s.stack.state(handle) {
                    case nil: return .failure(.closed)
                    case .synSent, .synReceived:
                        s.parkTCP(waiter, on: .writable(handle))
                        return nil
                    case .closed: return .failure(.tcp(s.stack.error(handle) ?? .refused))
                    default: return .success(true)
                    }
                },
                remove: { s, id in
                    s.cancelTCPWaiter(.writable(handle), id: id)
                    return nil
                })
            if try result.get() == true { return }
        }
    }
}

extension NetworkRuntime {
    /// Waits (at most `limit`) until every TCP connection's bytes and FIN are acknowledged:
    /// call it before `stop()` so that a program's last bytes are not lost with its stack.
    public func drainTCP(within limit: Duration) async {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let busy = withStack { s, _, _ in s.stopped == nil && s.stack.tcpHasUnacknowledgedData }
            if !busy { return }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
}
