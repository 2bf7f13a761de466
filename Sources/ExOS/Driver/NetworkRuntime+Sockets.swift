// Opening sockets and pingers: the stack checks the endpoint against what the daemon granted,
// then, on a shared address, the daemon's `bind` (the authority) makes it ours; if the
// daemon refuses, the stack's socket is closed again.

import ExoPacket
import ExoWire
import Foundation

extension NetworkRuntime {
    /// A UDP socket on `port` of `address` (nil: the first address that grants the port;
    /// port 0: a free granted port).
    public func bindUDP(port: UInt16, address: IPv4Address? = nil) async throws(NetworkError) -> UDPSocket {
        let (handle, endpoint, owned) = try openInStack { s throws(StackError) in
            let handle = try s.stack.openUDP(address: address, port: port)
            guard let endpoint = s.stack.udp.localEndpoint(handle) else { throw .staleHandle }
            return (handle, endpoint, s.owns(endpoint.address))
        }
        let wire = WireEndpoint(proto: WireEndpoint.udp, address: endpoint.address.rawValue, port: endpoint.port)
        let binding = owned ? nil : try await bindAtDaemon(wire, for: handle)
        return UDPSocket(runtime: self, handle: handle, localEndpoint: endpoint, daemonBinding: binding)
    }

    /// An ICMP echo client with echo `identifier` on `address` (nil: the first address that
    /// grants it; an owned address grants every identifier).
    public func openPinger(identifier: UInt16, address: IPv4Address? = nil) async throws(NetworkError) -> Pinger {
        let (handle, local, owned) = try openInStack { s throws(StackError) in
            let handle = try s.stack.openPinger(address: address, identifier: identifier)
            let local = address ?? s.stack.addresses.first { s.owns($0.address) || s.grantsEcho($0.address, identifier) }?.address
            return (handle, local ?? .any, local.map { s.owns($0) } ?? false)
        }
        let wire = WireEndpoint(proto: 1, address: local.rawValue, port: identifier)
        let binding = owned ? nil : try await bindAtDaemon(wire, for: handle)
        return Pinger(runtime: self, handle: handle, address: local, identifier: identifier, daemonBinding: binding)
    }

    /// Runs `open` on the stack under the lock; a stopped runtime or the stack's refusal throws.
    func openInStack<T>(_ open: (inout RuntimeState) throws(StackError) -> T) throws(NetworkError) -> T {
        let result = withStack { s, _, _ -> Result<T, NetworkError> in
            if let stopped = s.stopped { return .failure(stopped) }
            do throws(StackError) {
                return .success(try open(&s))
            } catch {
                return .failure(.refused(error))
            }
        }
        return try result.get()
    }

    /// Ports and echo identifiers granted on shared addresses (owned addresses grant all).
    public var grants: [EndpointGrant] { state.withLock { $0.stack.configuration.grants } }

    /// An echo identifier this tenant may use: on an owned first address, one derived from
    /// the process id (as ping does); else the first identifier granted on a shared address.
    public func defaultEchoIdentifier() -> UInt16 {
        if addresses.first?.owned == true { return UInt16(truncatingIfNeeded: ProcessInfo.processInfo.processIdentifier) }
        return grants.first { $0.proto == .icmp }?.ports.lowerBound ?? 0
    }
}

extension RuntimeState {
    /// True when the stack owns `address` whole (the daemon bound the whole address at start).
    func owns(_ address: IPv4Address) -> Bool {
        stack.addresses.contains { $0.address == address && $0.owned }
    }

    /// True when echo `identifier` is granted on shared `address`.
    func grantsEcho(_ address: IPv4Address, _ identifier: UInt16) -> Bool {
        stack.configuration.grants.contains { $0.proto == .icmp && $0.address == address && $0.ports.contains(identifier) }
    }
}
