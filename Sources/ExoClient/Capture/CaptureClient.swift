// A blocking operator connection that runs one capture: attach, ask for the tenant's frames,
// then read them one record at a time, so a slow reader fills the daemon's socket (counted there).

import ExoPlatform
import ExoWire
import Glibc

/// One capture on its own operator connection. Owns the socket (closed by `close()` or on
/// deinit; closing ends the capture in the daemon). Not Sendable: one thread reads it.
public final class CaptureClient {
    /// What the daemon sent next.
    public enum Item: Equatable, Sendable {
        case frame(CapturedPacket)
        /// The capture is over; nothing follows.
        case ended(CaptureEnd)
    }

    public let captureID: UInt32
    public let snapLength: UInt32
    private let socket: OwnedDescriptor
    private let buffer: UnsafeMutableRawBufferPointer

    /// Connects to `SocketPath.resolve(explicit: socketPath)`, attaches as operator and starts
    /// capturing `tenant` (`count` 0: no limit). Throws `.unreachable`, `.refused` (not an
    /// operator, unknown tenant, ...) or `.protocolViolation`.
    public init(socketPath: String?, tenant: String, count: UInt32, snapLength: UInt32) throws(ExoClientError) {
        let path = SocketPath.resolve(explicit: socketPath)
        do throws(SystemError) {
            socket = try UnixSeqpacket.connect(path: path)
        } catch {
            throw .unreachable(path: path, error)
        }
        buffer = .allocate(byteCount: WireLimits.maxMessageSize, alignment: 16)
        let hello = Hello(
            minVersion: WireLimits.minVersion, maxVersion: WireLimits.maxVersion, features: [], role: .operator,
            tenantName: "")
        var version = WireLimits.maxVersion
        do throws(ExoClientError) {
            guard case .helloAccepted(let accepted) = try Self.call(.hello(hello), id: 1, version: version,
                socket: socket.raw, buffer: buffer)
            else { throw .protocolViolation("expected helloAccepted") }
            version = accepted.version
            let reply = try Self.call(.capture(tenant: tenant, count: count, snapLength: snapLength), id: 2,
                version: version, socket: socket.raw, buffer: buffer)
            guard case .captureStarted(let id, let snap) = reply else {
                throw .protocolViolation("expected captureStarted, got \(reply)")
            }
            captureID = id
            self.snapLength = snap
        } catch {
            buffer.deallocate()
            throw error
        }
    }

    deinit {
        buffer.deallocate()
    }

    /// The socket, for poll(2) next to other descriptors (owned by this object).
    public var descriptor: Int32 { socket.raw }

    /// Blocks for the next frame or the end of this capture. Other events are skipped.
    /// Throws `.disconnected` if the daemon hung up first.
    public func next() throws(ExoClientError) -> Item {
        while true {
            switch try Self.receive(socket.raw, buffer: buffer) {
            case .event(.capturedFrame(let frame)) where frame.captureID == captureID: return .frame(frame)
            case .event(.captureEnded(let end)) where end.captureID == captureID: return .ended(end)
            case .event: continue
            case let other: throw .protocolViolation("unexpected record during a capture: \(other.kind)")
            }
        }
    }

    /// Ends the capture (the daemon drops it when the connection closes). Idempotent.
    public func close() { socket.close() }

    private static func call(_ request: Request, id: UInt32, version: UInt16, socket: Int32,
        buffer: UnsafeMutableRawBufferPointer) throws(ExoClientError) -> Reply
    {
        let bytes: [UInt8]
        do throws(WireEncodeError) {
            bytes = try MessageCodec.encode(.request(id: id, request), version: version)
        } catch {
            throw .invalidRequest("\(error)")
        }
        do throws(SystemError) {
            _ = try UnixSeqpacket.send(socket, bytes)
        } catch {
            throw .disconnected
        }
        while true {
            switch try receive(socket, buffer: buffer) {
            case .reply(id, .error(let code, let detail)): throw .refused(code, detail: detail)
            case .reply(id, let reply): return reply
            case .event: continue
            case let other: throw .protocolViolation("unexpected record: \(other.kind)")
            }
        }
    }

    private static func receive(_ socket: Int32, buffer: UnsafeMutableRawBufferPointer) throws(ExoClientError) -> Message {
        var received: ReceivedRecord?
        while received == nil {  // a blocking socket returns nil only if interrupted oddly: read again
            do throws(SystemError) {
                received = try UnixSeqpacket.receive(socket, into: buffer)
            } catch {
                throw error.errno == ECONNRESET ? .disconnected : .protocolViolation("receive: \(error)")
            }
        }
        guard let record = received, !record.isEndOfStream else { throw .disconnected }
        guard !record.truncated, record.descriptors.isEmpty else {
            throw .protocolViolation("record truncated or carrying descriptors")
        }
        do throws(WireDecodeError) {
            return try MessageCodec.decode(UnsafeRawBufferPointer(rebasing: buffer[..<record.byteCount]))
        } catch {
            throw .protocolViolation("undecodable record: \(error)")
        }
    }
}
