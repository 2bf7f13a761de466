// A UDP socket for async code: bound to a granted endpoint (the daemon's binding made for a
// shared address), connected or not; send waits while the transmit queue is full, receive
// waits for a datagram. A full receive queue drops arrivals (counted), it never grows.

import ExoPacket
import ExoWire

/// One UDP socket of a `NetworkRuntime`. Sendable: calls from several tasks interleave.
public final class UDPSocket: Sendable {
    public let runtime: NetworkRuntime
    let handle: UDPHandle
    /// The address and port it is bound to.
    public let localEndpoint: UDPEndpoint
    /// The daemon binding made for it (shared addresses), undone by `close`.
    private let daemonBinding: WireEndpoint?

    init(runtime: NetworkRuntime, handle: UDPHandle, localEndpoint: UDPEndpoint, daemonBinding: WireEndpoint?) {
        self.runtime = runtime
        self.handle = handle
        self.localEndpoint = localEndpoint
        self.daemonBinding = daemonBinding
    }

    /// Closes the stack's socket if `close()` was not called (the daemon binding of a shared
    /// address then lasts until the session ends).
    deinit { runtime.closeSocket(handle) }

    /// Sends `payload` to `destination` (nil: the connected peer). Waits while the socket's
    /// transmit queue is full. Throws `.sendFailed(.datagramTooLarge)` beyond
    /// `runtime.maximumUDPPayload` bytes (the stack never fragments).
    public func send(_ payload: [UInt8], to destination: UDPEndpoint? = nil) async throws(NetworkError) {
        let handle = handle
        while true {
            let sent = await runtime.suspend({ s, waiter, now -> Result<Bool, NetworkError>? in
                do throws(SendError) {
                    try s.stack.send(handle, payload, to: destination, now: now)
                    return .success(true)
                } catch .queueFull {
                    s.writers[handle, default: []].append(waiter)
                    return nil
                } catch .staleHandle {
                    return .failure(.closed)
                } catch {
                    return .failure(.sendFailed(error))
                }
            }, remove: { s, id in s.removeWriter(handle, id: id) })
            if try sent.get() { return }
        }
    }

    /// The oldest datagram, waiting for one if none is queued. A network error reported for
    /// the socket's flow (ICMP port unreachable, ARP failure) is thrown once, as `.socket`.
    public func receive() async throws(NetworkError) -> Datagram {
        let handle = handle
        return try await runtime.suspend({ s, waiter, _ -> Result<Datagram, NetworkError>? in
            if let result = s.takeReceived(handle) { return result }
            s.receivers[handle, default: []].append(waiter)
            return nil
        }, remove: { s, id in s.removeReceiver(handle, id: id) }).get()
    }

    /// Datagrams as they arrive, until the socket closes or the session ends (the sequence
    /// then finishes; other errors are thrown).
    public var datagrams: AsyncThrowingStream<Datagram, any Error> {
        AsyncThrowingStream(unfolding: { [self] in
            do throws(NetworkError) {
                return try await receive()
            } catch .closed, .sessionEnded, .cancelled {
                return nil
            }
        })
    }

    /// Sets the peer (nil: none): `send` without a destination goes to it, and only its
    /// datagrams are received.
    public func connect(to peer: UDPEndpoint?) throws(NetworkError) {
        let handle = handle
        let result = runtime.withStack { s, _, _ -> Result<Void, NetworkError> in
            do throws(StackError) {
                try s.stack.connect(handle, to: peer)
                return .success(())
            } catch {
                return .failure(error == .staleHandle ? .closed : .refused(error))
            }
        }
        try result.get()
    }

    /// Closes the socket (waiting calls fail with `.closed`) and removes the daemon binding
    /// made for it. Idempotent.
    public func close() async {
        await runtime.closeSocket(handle, unbinding: daemonBinding)
    }
}
