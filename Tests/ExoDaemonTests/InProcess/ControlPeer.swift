// A client of the in-process daemon that speaks the real control protocol over the real
// Unix socket, on the test's own thread: it sends a request, then runs the daemon's turns
// until the reply arrives (ExoClient's channel needs a reader thread and a daemon that runs
// by itself; this one interleaves with the daemon deterministically).

import ExoPlatform
import ExoWire
import Testing

@testable import ExoDaemon

/// One connection to the daemon's control socket, as any client process would have: SO_PEERCRED
/// gives the daemon the test's own uid. Owns its socket.
final class ControlPeer {
    /// Turns a reply may take before the peer gives up. One is enough, unless the daemon's
    /// fairness budget (ControlTurns) held the request back on a slow machine: later turns
    /// wait for the daemon's next deadline, as its loop would.
    static let turnsPerReply = 20

    private let socket: OwnedDescriptor
    private let readiness: Epoll
    private let daemon: InProcessDaemon
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: WireLimits.maxMessageSize, alignment: 16)
    private var nextID: UInt32 = 1
    private var version = WireLimits.maxVersion
    /// Events received so far, in arrival order.
    private(set) var events: [Event] = []
    /// The daemon closed the connection (end of stream was read).
    private(set) var closedByDaemon = false

    /// Connects and lets the daemon accept the connection.
    init(connectingTo daemon: InProcessDaemon) throws {
        self.daemon = daemon
        socket = try UnixSeqpacket.connect(path: daemon.socketPath)
        readiness = try Epoll(maximumEventsPerWait: 1)
        try readiness.add(socket.raw, events: .readable, token: 1)
        daemon.turn()
    }

    deinit {
        socket.close()
        buffer.deallocate()
    }

    /// Says hello as `role`; on acceptance, later requests use the version the daemon chose.
    @discardableResult
    func hello(_ role: PeerRole, tenant: String = "") throws -> Reply {
        let (reply, _) = try exchange(.hello(Hello(role: role, tenantName: role == .tenant ? tenant : "")))
        if case .helloAccepted(let accepted) = reply { version = accepted.version }
        return reply
    }

    /// Sends `request` and runs the daemon until its reply comes: the reply and the
    /// descriptors that came with it (owned by the caller).
    func exchange(_ request: Request) throws -> (reply: Reply, descriptors: [OwnedDescriptor]) {
        let id = nextID
        nextID += 1
        let bytes = try MessageCodec.encode(.request(id: id, request), version: version)
        guard try UnixSeqpacket.send(socket.raw, bytes) else { throw PeerFailure("the control socket is full") }
        for attempt in 0..<Self.turnsPerReply {
            if attempt == 0 { daemon.turn() } else { daemon.turnAtNextDeadline() }
            while let next = try nextMessage() {
                let (message, descriptors) = next
                switch message {
                case .reply(let replyID, let reply):
                    guard replyID == id else { throw PeerFailure("reply to \(replyID) while waiting for \(id)") }
                    return (reply, descriptors)
                case .event(let event): events.append(event)
                case .request: throw PeerFailure("the daemon sent a request")
                }
            }
            if closedByDaemon { throw PeerFailure("the daemon closed the session before replying to \(request.kind)") }
        }
        throw PeerFailure("no reply to \(request.kind) within \(Self.turnsPerReply) turns")
    }

    /// Makes `call` and returns its typed answer; a refusal throws `Refused`.
    func call<Answer>(_ call: ControlCall<Answer>) throws -> Answer {
        let (reply, _) = try exchange(call.request)
        if case .error(let error, let detail) = reply { throw Refused(error: error, detail: detail) }
        guard let answer = call.answer(reply) else { throw PeerFailure("\(reply.kind) does not answer \(call.replyName)") }
        return answer
    }

    /// Runs one daemon turn (unless `turn` is false: a stopped daemon) and takes the events
    /// waiting on the socket, noting the end of the stream if the daemon closed it.
    func takeEvents(turn: Bool = true) throws -> [Event] {
        if turn { daemon.turn() }
        while let next = try nextMessage() {
            guard case .event(let event) = next.0 else { throw PeerFailure("unasked-for \(next.0.kind)") }
            events.append(event)
        }
        defer { events.removeAll() }
        return events
    }

    /// Runs one daemon turn (unless `turn` is false) and takes every record waiting on the
    /// socket, replies included (an unsolicited reply, request id 0, ends a session), noting the
    /// end of the stream if the daemon closed it.
    func takeRecords(turn: Bool = true) throws -> [Message] {
        if turn { daemon.turn() }
        var records: [Message] = []
        while let next = try nextMessage() { records.append(next.0) }
        return records
    }

    /// Closes the connection, as a client process that exits does, and lets the daemon see it.
    func close() {
        socket.close()
        daemon.turn()
    }

    /// The next record waiting on the socket, decoded; nil when none waits or the stream ended.
    private func nextMessage() throws -> (Message, [OwnedDescriptor])? {
        guard !closedByDaemon else { return nil }
        var ready = false
        try readiness.wait(timeoutMilliseconds: 0) { _, _ in ready = true }
        guard ready, let record = try UnixSeqpacket.receive(socket.raw, into: buffer) else { return nil }
        if record.isEndOfStream {
            closedByDaemon = true
            return nil
        }
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<record.byteCount])
        return (try MessageCodec.decode(bytes), record.descriptors)
    }
}

/// The daemon refused a request.
struct Refused: Error, Equatable {
    let error: ExoError
    let detail: String
}

struct PeerFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
