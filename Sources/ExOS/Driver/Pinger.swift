// An ICMP echo client for async code: sends echo requests with its identifier (granted like a
// port on a shared address) and hands back replies, ICMP errors about its requests, and
// ARP failures, each with the round trip the stack measured.

import ExoPacket
import ExoWire

/// One echo client of a `NetworkRuntime`.
public final class Pinger: Sendable {
    public let runtime: NetworkRuntime
    let handle: PingerHandle
    /// The address requests leave from, and their identifier.
    public let address: IPv4Address
    public let identifier: UInt16
    private let daemonBinding: WireEndpoint?

    init(runtime: NetworkRuntime, handle: PingerHandle, address: IPv4Address, identifier: UInt16, daemonBinding: WireEndpoint?) {
        self.runtime = runtime
        self.handle = handle
        self.address = address
        self.identifier = identifier
        self.daemonBinding = daemonBinding
    }

    deinit { runtime.closeSocket(handle) }

    /// Queues an echo request to `destination` with `sequence` and `dataLength` data bytes.
    public func send(to destination: IPv4Address, sequence: UInt16, dataLength: Int = 56) throws(NetworkError) {
        let handle = handle
        let result = runtime.withStack { s, now, _ -> Result<Void, NetworkError> in
            if let stopped = s.stopped { return .failure(stopped) }
            do throws(SendError) {
                try s.stack.ping(handle, to: destination, sequence: sequence, dataLength: dataLength, now: now)
                return .success(())
            } catch .staleHandle {
                return .failure(.closed)
            } catch {
                return .failure(.sendFailed(error))
            }
        }
        try result.get()
    }

    /// The next reply, error or failure, waiting for one if none is there.
    public func next() async throws(NetworkError) -> PingEvent {
        let handle = handle
        return try await runtime.suspend({ s, waiter, _ -> Result<PingEvent, NetworkError>? in
            if let event = s.stack.nextPingEvent(handle) { return .success(event) }
            s.pingWaiters[handle, default: []].append(waiter)
            return nil
        }, remove: { s, id in s.removePingWaiter(handle, id: id) }).get()
    }

    /// Closes the pinger (waiting calls fail with `.closed`) and removes its daemon binding.
    public func close() async {
        await runtime.closeSocket(handle, unbinding: daemonBinding)
    }
}
