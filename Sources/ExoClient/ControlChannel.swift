// One connected control socket: sends requests with fresh ids and a reader thread that
// matches replies to waiting callers and forwards events. Shared by tenant and operator sessions.

import ExoPlatform
import ExoWire
import Foundation
import Synchronization

/// A reply and the descriptors that travelled with it. The receiver owns `descriptors`
/// (each closes on deinit unless released).
package struct ChannelDelivery: Sendable {
    package var reply: Reply
    package var descriptors: [OwnedDescriptor]
}

/// The socket plus the table of requests waiting for replies.
///
/// Locking: `table` guards the pending continuations and the id counter; `writer` guards the
/// socket descriptor and the negotiated version, so a record is sent whole and the descriptor
/// is never closed (and its number reused) while a send is using it. The reader thread owns
/// the receive side and, on exit, closes the descriptor under `writer`.
package final class ControlChannel: Sendable {
    typealias Waiter = CheckedContinuation<Result<ChannelDelivery, ExoClientError>, Never>

    private struct Table: ~Copyable {
        var nextID: UInt32 = 1
        var pending: [UInt32: Waiter] = [:]
        /// Set once the reader stopped; every later request fails with it.
        var ended: ExoClientError? = nil
        /// Why the session ended: `.disconnected` (end of stream, reset, `shutdown()`), the
        /// daemon's final notice (`.refused`, an `error` with request id 0, e.g. a kick), or a
        /// protocol violation. Nil while the session is open.
        var endReason: ExoClientError? = nil
    }

    private struct Writer: ~Copyable {
        var socket: OwnedDescriptor
        var version: UInt16 = WireLimits.maxVersion
        var open = true
    }

    private let table = Mutex(Table())
    private let writer: Mutex<Writer>
    /// Offers and revocations, in arrival order. Finished when the session ends.
    package let events: AsyncStream<Event>
    /// Ended with the channel; data paths of the session wait on it too.
    package let liveness = SessionLiveness()
    private let eventSink: AsyncStream<Event>.Continuation

    /// Takes ownership of `socket` (a connected SOCK_SEQPACKET stream) and starts the reader.
    package init(socket: OwnedDescriptor) {
        writer = Mutex(Writer(socket: socket))
        (events, eventSink) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(4096))
        let thread = Thread { [self] in self.readLoop(fd: socket.raw) }
        thread.name = "exos-control-reader"
        thread.start()
    }

    /// Why the session ended (see `Table.endReason`); nil while it is open.
    package var endReason: ExoClientError? { table.withLock { $0.endReason } }

    /// The version later requests are encoded with (set after helloAccepted).
    package func setVersion(_ version: UInt16) {
        writer.withLock { $0.version = version }
    }

    /// Sends `request` and waits for its reply. Task cancellation does not abandon the wait:
    /// the daemon answers every request, or the session ends and the wait fails.
    package func exchange(_ request: Request) async -> Result<ChannelDelivery, ExoClientError> {
        await withCheckedContinuation { (waiter: Waiter) in
            let registered: Result<UInt32, ExoClientError> = table.withLock { table in
                if let ended = table.ended { return .failure(ended) }
                var id = table.nextID
                while id == 0 || table.pending[id] != nil { id &+= 1 }
                table.nextID = id &+ 1
                table.pending[id] = waiter
                return .success(id)
            }
            switch registered {
            case .failure(let error):
                waiter.resume(returning: .failure(error))
            case .success(let id):
                if let failure = send(.request(id: id, request)) {
                    // The reader may already have failed this waiter while ending; resume at most once.
                    if let mine = table.withLock({ $0.pending.removeValue(forKey: id) }) {
                        mine.resume(returning: .failure(failure))
                    }
                }
            }
        }
    }

    /// Wakes the reader (which then fails pending requests with `.disconnected`, finishes the
    /// events and closes the socket). Idempotent.
    package func shutdown() {
        writer.withLock { writer in
            if writer.open { _ = Glibc.shutdown(writer.socket.raw, Int32(SHUT_RDWR)) }
        }
    }

    private func send(_ message: Message) -> ExoClientError? {
        writer.withLock { writer -> ExoClientError? in
            guard writer.open else { return .disconnected }
            let bytes: [UInt8]
            do {
                bytes = try MessageCodec.encode(message, version: writer.version)
            } catch {
                return .invalidRequest("\(error)")
            }
            do throws(SystemError) {
                let sent = try UnixSeqpacket.send(writer.socket.raw, bytes)
                return sent ? nil : .protocolViolation("control socket unexpectedly non-blocking")
            } catch {
                return error.errno == EPIPE || error.errno == ECONNRESET ? .disconnected : .protocolViolation("send: \(error)")
            }
        }
    }

    private func readLoop(fd: Int32) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: WireLimits.maxMessageSize, alignment: 16)
        defer { buffer.deallocate() }
        var reason: ExoClientError = .disconnected
        while true {
            let record: ReceivedRecord
            do throws(SystemError) {
                guard let received = try UnixSeqpacket.receive(fd, into: buffer) else { continue }
                record = received
            } catch {
                reason = error.errno == ECONNRESET ? .disconnected : .protocolViolation("receive: \(error)")
                break
            }
            if record.isEndOfStream { break }
            if let violation = dispatch(record, buffer: UnsafeRawBufferPointer(buffer)) {
                reason = violation
                break
            }
        }
        end(reason)
    }

    /// Routes one record; returns the violation that ends the session, if any.
    private func dispatch(_ record: ReceivedRecord, buffer: UnsafeRawBufferPointer) -> ExoClientError? {
        if record.truncated || record.controlTruncated {
            return .protocolViolation("record or its descriptors truncated")
        }
        let message: Message
        do {
            message = try MessageCodec.decode(UnsafeRawBufferPointer(rebasing: buffer[0..<record.byteCount]))
        } catch {
            return .protocolViolation("undecodable record: \(error)")
        }
        switch message {
        case .reply(0, .error(let code, let detail)):
            // Request id 0 answers no request: it is the daemon's final notice before it
            // closes the session (kick, a reload that ended the tenant, connection limits,
            // handshake timeout; docs/PROTOCOL.md §13). It becomes the reason the session ended.
            return .refused(code, detail: detail)
        case .reply(let id, let reply):
            guard let waiter = table.withLock({ $0.pending.removeValue(forKey: id) }) else {
                return .protocolViolation("reply to request \(id), which is not pending")
            }
            waiter.resume(returning: .success(ChannelDelivery(reply: reply, descriptors: record.descriptors)))
            return nil
        case .event(let event):
            guard record.descriptors.isEmpty else { return .protocolViolation("event carried descriptors") }
            eventSink.yield(event)
            return nil
        case .request:
            return .protocolViolation("daemon sent a request")
        }
    }

    private func end(_ reason: ExoClientError) {
        writer.withLock { writer in
            writer.open = false
            writer.socket.close()
        }
        let waiters = table.withLock { table -> [Waiter] in
            table.ended = .disconnected
            table.endReason = reason
            defer { table.pending.removeAll() }
            return Array(table.pending.values)
        }
        for waiter in waiters { waiter.resume(returning: .failure(reason)) }
        eventSink.finish()
        liveness.end()
    }
}
