// A TCP connection for async code: `read` waits for bytes (an empty result is the end of
// the peer's stream), `write` waits while the send buffer is full (backpressure), and the
// connection's failure (reset, refused, timeout) is thrown as `.tcp(error)`.

import ExoPacket
import ExoWire

/// One TCP connection of a `NetworkRuntime`. Sendable; one reader and one writer task at a
/// time keep the byte order each expects.
public final class TCPConnection: Sendable {
    public let runtime: NetworkRuntime
    let handle: TCPHandle
    /// The daemon binding made for an outgoing connection on a shared address.
    private let daemonBinding: WireEndpoint?

    init(runtime: NetworkRuntime, handle: TCPHandle, daemonBinding: WireEndpoint?) {
        self.runtime = runtime
        self.handle = handle
        self.daemonBinding = daemonBinding
    }

    /// Closes gracefully if `close()` was not called.
    deinit { runtime.closeSocket(handle) }

    /// Waits until the handshake completes; throws the connection's failure (`.tcp(.refused)`,
    /// `.tcp(.timedOut)`) or `.closed`.
    func waitUntilEstablished() async throws(NetworkError) {
        let handle = handle
        while true {
            let result = await runtime.suspend(
                { s, waiter, _ -> Result<Bool?, NetworkError>? in
                    switch s.stack.tcp.state(handle) {
                    case nil: return .failure(.closed)
                    case .synSent, .synReceived:
                        s.parkTCP(waiter, on: .writable(handle))
                        return nil
                    case .closed: return .failure(.tcp(s.stack.tcp.error(handle) ?? .refused))
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

    /// The connection's current state (nil once closed).
    public var state: TCPState? { runtime.withStack { s, _, _ in s.stack.tcp.state(handle) } }

    /// A snapshot of the connection (state, endpoints, window, RTT).
    public var info: TCPConnectionInfo? { runtime.withStack { s, _, _ in s.stack.tcp.info(handle) } }

    /// Up to `maximumLength` bytes, waiting for at least one; empty at the end of the stream.
    public func read(maximumLength: Int = 64 * 1024) async throws(NetworkError) -> [UInt8] {
        let handle = handle
        while true {
            let result = await runtime.suspend(
                { s, waiter, now -> Result<[UInt8]?, NetworkError>? in
                    // Sized to what is waiting (not `maximumLength`) and not zero-filled: the
                    // read initializes exactly the bytes the array then holds.
                    let waiting = s.stack.tcp.readableBytes(handle)
                    var outcome = Result<TCPReadResult, TCPError>.success(.wouldBlock)
                    let bytes = [UInt8](unsafeUninitializedCapacity: max(min(maximumLength, waiting), 1)) {
                        buffer, initialized in
                        do throws(TCPError) {
                            let window = MutablePacketBytes(unsafeBuffer: UnsafeMutableRawBufferPointer(buffer))
                            outcome = .success(try s.stack.read(handle, into: window, now: now))
                        } catch {
                            outcome = .failure(error)
                        }
                        if case .success(.bytes(let count)) = outcome { initialized = count }
                    }
                    switch outcome {
                    case .success(.bytes):
                        return .success(bytes)
                    case .success(.endOfStream): return .success([])
                    case .success(.wouldBlock):
                        s.parkTCP(waiter, on: .readable(handle))
                        return nil
                    case .failure(.staleHandle): return .failure(.closed)
                    case .failure(let error): return .failure(.tcp(error))
                    }
                },
                remove: { s, id in
                    s.cancelTCPWaiter(.readable(handle), id: id)
                    return nil
                })
            if let bytes = try result.get() { return bytes }
        }
    }

    /// Queues every byte of `bytes`, waiting while the send buffer is full.
    public func write(_ bytes: [UInt8]) async throws(NetworkError) {
        let handle = handle
        var offset = 0
        while offset < bytes.count {
            let start = offset
            let result = await runtime.suspend(
                { s, waiter, now -> Result<Int?, NetworkError>? in
                    let outcome = bytes.withUnsafeBytes { buffer -> Result<Int, TCPError> in
                        do throws(TCPError) {
                            let rest = PacketBytes(unsafeBuffer: buffer).dropFirst(start)
                            return .success(try s.stack.write(handle, rest, now: now))
                        } catch {
                            return .failure(error)
                        }
                    }
                    switch outcome {
                    case .success(0):
                        s.parkTCP(waiter, on: .writable(handle))
                        return nil
                    case .success(let count): return .success(count)
                    case .failure(.staleHandle): return .failure(.closed)
                    case .failure(let error): return .failure(.tcp(error))
                    }
                },
                remove: { s, id in
                    s.cancelTCPWaiter(.writable(handle), id: id)
                    return nil
                })
            if let written = try result.get() { offset += written }
        }
    }

    /// Sends a FIN after the queued bytes (`shutdown(SHUT_WR)`); reading goes on.
    public func shutdownWrite() throws(NetworkError) {
        let handle = handle
        let result = runtime.withStack { s, now, _ -> Result<Void, NetworkError> in
            do throws(TCPError) {
                try s.stack.shutdownWrite(handle, now: now)
                return .success(())
            } catch .staleHandle {
                return .failure(.closed)
            } catch {
                return .failure(.tcp(error))
            }
        }
        try result.get()
    }

    /// Closes: the FIN follows the queued bytes and the close handshake finishes in the
    /// background (unread bytes make it a reset, as on Linux). Waiting calls fail `.closed`.
    public func close() async {
        await runtime.closeSocket(handle, unbinding: daemonBinding)
    }

    /// Resets the connection at once.
    public func abort() {
        let handle = handle
        runtime.withStack { s, now, ready in
            s.stack.abort(handle, now: now)
            s.wakeTCPWaiters([.readable(handle), .writable(handle)], ready: &ready)
        }
    }
}
