// One control connection: who the peer is, how far the handshake got, and the bounded queue
// of records waiting to be written to it.

import ExoCore
import ExoPlatform
import ExoWire

/// What a connection is allowed to do, decided once by the handshake (a secure binding).
enum SessionRole: Equatable {
    /// Connected, hello not yet received; closed if it does not arrive by the deadline.
    case awaitingHello(deadlineNanoseconds: UInt64)
    /// Attached as a tenant; `session` is the arbiter's id for this connection's holdings.
    case tenant(TenantID, session: SessionID)
    /// Attached as an operator (root or a member of the operator group): queries only.
    case `operator`
}

/// One record queued for sending, with the descriptors it carries. The descriptors are owned
/// here and closed once the record was sent or the session ended.
struct OutboundRecord {
    var bytes: [UInt8]
    var descriptors: [OwnedDescriptor]
}

/// A connected peer of the control socket. Owned by the daemon's event loop (one thread).
final class ControlSession {
    let connectionID: UInt64
    let socket: OwnedDescriptor
    let credentials: PeerCredentials
    var role: SessionRole
    /// Protocol version agreed in the hello; replies before it use the highest we speak.
    var version: UInt16 = WireLimits.maxVersion
    /// Set when the session must close once its queue drained (e.g. after a fatal error reply).
    var closeAfterFlush = false
    /// Whether this (tenant) session is owed an `offersChanged` notice, or has one unread.
    var offerNotice = NoticeLatch()
    /// Whether this (tenant) session is owed a `grantsChanged` event after a reload.
    var grantsNotice = GrantsNotice()
    /// Revocation requests and repossessions not yet sent (sent before any other notice).
    var revocationEvents = RevocationEvents()
    /// Descriptors in replies this peer may not have read yet (`limits.descriptors_in_flight`).
    var descriptorsInFlight = DescriptorsInFlight()
    private(set) var outbound: [OutboundRecord] = []
    private var outboundHead = 0
    let outboundLimit: Int

    init(connectionID: UInt64, socket: OwnedDescriptor, credentials: PeerCredentials,
         handshakeDeadline: UInt64, outboundLimit: Int) {
        self.connectionID = connectionID
        self.socket = socket
        self.credentials = credentials
        self.role = .awaitingHello(deadlineNanoseconds: handshakeDeadline)
        self.outboundLimit = outboundLimit
    }

    var pendingOutbound: Int { outbound.count - outboundHead }

    /// Records another party causes (notices) and coalesced reports are queued only behind
    /// nothing: a session that does not read is never disconnected for them.
    var queueEmpty: Bool { pendingOutbound == 0 }

    /// Queues a record. Returns false when the queue is full: the peer is not reading and must be
    /// disconnected rather than allowed to pile up memory and descriptors in flight.
    func enqueue(_ record: OutboundRecord) -> Bool {
        guard pendingOutbound < outboundLimit else { return false }
        outbound.append(record)
        descriptorsInFlight.queued(record.descriptors.count)
        return true
    }

    /// Writes queued records until the socket would block. Returns true when the queue is empty.
    func flush() throws(SystemError) -> Bool {
        while outboundHead < outbound.count {
            let record = outbound[outboundHead]
            let raw = record.descriptors.map(\.raw)
            guard try UnixSeqpacket.send(socket.raw, record.bytes, descriptors: raw) else { return false }
            for d in record.descriptors { d.close() }
            descriptorsInFlight.sent(record.descriptors.count)
            outbound[outboundHead] = OutboundRecord(bytes: [], descriptors: [])
            outboundHead += 1
        }
        outbound.removeAll(keepingCapacity: true)
        outboundHead = 0
        return true
    }

    /// Drops whatever was not sent; the descriptors close with their owners.
    func discardOutbound() {
        for record in outbound[outboundHead...] { for d in record.descriptors { d.close() } }
        outbound.removeAll()
        outboundHead = 0
        descriptorsInFlight.discarded()
    }

    /// The descriptors this peer may not have read: the socket is asked whether anything sent
    /// is still unread (if not, every descriptor sent was received).
    func unreadDescriptors() -> Int {
        if descriptorsInFlight.sent > 0, (try? UnixSeqpacket.unreadBytes(socket.raw)) == 0 {
            descriptorsInFlight.drained()
        }
        return descriptorsInFlight.total
    }
}
