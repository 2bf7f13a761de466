// A TCP listener for async code: `accept` waits for the next connection that finished its
// handshake. Opening it on a shared address makes the daemon's binding first.

import ExoPacket
import ExoWire

/// A listening TCP endpoint of a `NetworkRuntime`. Sendable: tasks may accept concurrently.
public final class TCPListener: Sendable {
    public let runtime: NetworkRuntime
    let handle: TCPListenerHandle
    /// The address and port it listens on.
    public let localEndpoint: IPv4Endpoint
    private let daemonBinding: WireEndpoint?

    init(runtime: NetworkRuntime, handle: TCPListenerHandle, localEndpoint: IPv4Endpoint, daemonBinding: WireEndpoint?) {
        self.runtime = runtime
        self.handle = handle
        self.localEndpoint = localEndpoint
        self.daemonBinding = daemonBinding
    }

    deinit { runtime.closeSocket(handle) }

    /// The next established connection, waiting for one. Throws `.closed` once the listener
    /// is closed.
    public func accept() async throws(NetworkError) -> TCPConnection {
        let handle = handle
        while true {
            let accepted = await runtime.suspend(
                { s, waiter, _ -> Result<TCPHandle?, NetworkError>? in
                    guard s.stack.tcp.listeners.localEndpoint(handle) != nil else { return .failure(.closed) }
                    if let connection = s.stack.accept(handle) { return .success(connection) }
                    s.parkTCP(waiter, on: .acceptable(handle))
                    return nil
                },
                remove: { s, id in
                    s.cancelTCPWaiter(.acceptable(handle), id: id)
                    return nil
                })
            if let connection = try accepted.get() {
                return TCPConnection(runtime: runtime, handle: connection, daemonBinding: nil)
            }
        }
    }

    /// Stops listening (connections not yet accepted are reset) and removes the daemon binding.
    public func close() async {
        await runtime.closeSocket(handle, unbinding: daemonBinding)
    }
}
