// A test-side peer on a real SOCK_SEQPACKET socket that answers an ExOS session with
// scripted records (including descriptors), to check the client's own protocol handling.

import ExoPlatform
import ExoWire
import Foundation
import Synchronization

/// Listens on a fresh path under /tmp; `serve` runs one script on its own thread against the
/// first connection. Not a daemon: it answers exactly what the test scripts, nothing more.
final class ScriptedPeer: Sendable {
    let path: String
    private let directory: String
    private let listener: OwnedDescriptor
    /// Set when the script threw or finished; tests read it after their client calls.
    let outcome = Mutex<String?>(nil)

    init() throws {
        var template = Array("/tmp/exos-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw SystemError(operation: "mkdtemp", errno: errno) }
        directory = String(cString: made)
        path = directory + "/peer.sock"
        listener = try UnixSeqpacket.listen(path: path)
    }

    deinit {
        listener.close()
        unlink(path)
        rmdir(directory)
    }

    /// Accepts one connection and runs `script` with it on a new thread; the connection is
    /// closed when the script returns or throws.
    func serve(_ script: @escaping @Sendable (PeerConnection) throws -> Void) {
        let thread = Thread { [self] in
            do {
                let connection = PeerConnection(socket: try self.acceptOne())
                defer { connection.socket.close() }
                try script(connection)
                outcome.withLock { $0 = "done" }
            } catch {
                outcome.withLock { $0 = "failed: \(error)" }
            }
        }
        thread.start()
    }

    private func acceptOne() throws -> OwnedDescriptor {
        while true {
            try PeerConnection.waitReadable(listener.raw)
            if let socket = try UnixSeqpacket.accept(listener.raw) { return socket }
        }
    }
}

/// The peer's side of one connection (non-blocking socket; waits with poll).
struct PeerConnection: Sendable {
    let socket: OwnedDescriptor

    /// Next message from the client; throws at end of stream.
    func receive() throws -> Message {
        var buffer = [UInt8](repeating: 0, count: WireLimits.maxMessageSize)
        while true {
            try Self.waitReadable(socket.raw)
            let record = try buffer.withUnsafeMutableBytes { raw throws(SystemError) in
                try UnixSeqpacket.receive(socket.raw, into: raw)
            }
            guard let record else { continue }
            if record.isEndOfStream { throw SystemError(operation: "peer receive (end of stream)", errno: 0) }
            return try MessageCodec.decode(Array(buffer[0..<record.byteCount]))
        }
    }

    /// Sends one message, with `descriptors` duplicated into the record by the kernel.
    func send(_ message: Message, descriptors: [Int32] = []) throws {
        _ = try UnixSeqpacket.send(socket.raw, try MessageCodec.encode(message), descriptors: descriptors)
    }

    /// Receives the hello and answers helloAccepted with `frameSize`; returns the hello.
    func acceptHello(frameSize: UInt32 = 4096) throws -> Hello {
        guard case .request(let id, .hello(let hello)) = try receive() else {
            throw SystemError(operation: "expected hello", errno: 0)
        }
        try send(.reply(id: id, .helloAccepted(ScriptedPeer.accepted(frameSize: frameSize))))
        return hello
    }

    static func waitReadable(_ fd: Int32) throws {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while poll(&entry, 1, 5_000) < 0 {
            if errno != EINTR { throw SystemError(operation: "poll", errno: errno) }
        }
    }
}

extension ScriptedPeer {
    static func accepted(frameSize: UInt32) -> HelloAccepted {
        HelloAccepted(
            version: 1, features: [], sessionID: 77, tenantID: 3, frameSize: frameSize, poolFrames: 64,
            frameQuota: 16, maxMessageSize: UInt32(WireLimits.maxMessageSize), maxDescriptorsPerMessage: 253)
    }
}
