// The running captures: each copies one tenant's frames into a record buffer it allocated
// once and sends it, non-blocking, on its operator's socket; a full socket counts a loss.

import ExoCore
import ExoPlatform
import ExoWire

/// One running capture. Owns its record buffer (freed on deinit). Lives in `CaptureTable`
/// until it ends; its operator session outlives it (the capture is removed when it closes).
final class Capture {
    let id: UInt32
    let tenant: TenantID
    /// The operator connection the frames go to.
    let session: ControlSession
    /// Frames to send before the capture ends; 0 means no limit.
    let limit: UInt64
    let snapLength: Int
    /// Frames sent to the operator, and frames seen but not sent (socket full or queue busy).
    private(set) var captured: UInt64 = 0
    private(set) var lost: UInt64 = 0
    /// Set once `limit` frames were sent: nothing more is captured, the end event is due.
    private(set) var finished = false
    /// One record, `CapturedPacketRecord.capacity(snapLength:)` bytes, written per frame.
    private let record: UnsafeMutableRawBufferPointer

    init(id: UInt32, tenant: TenantID, session: ControlSession, limit: UInt32, snapLength: Int) {
        self.id = id
        self.tenant = tenant
        self.session = session
        self.limit = UInt64(limit)
        self.snapLength = snapLength
        record = .allocate(byteCount: CapturedPacketRecord.capacity(snapLength: snapLength), alignment: 16)
    }

    deinit { record.deallocate() }

    /// Copies `frame` into the record and sends it without blocking. Records already queued
    /// for the operator (the start reply, answers to its requests) go first: while any are
    /// queued, the frame is lost rather than sent out of order. Packet path: no allocation,
    /// one send(2).
    func take(_ frame: UnsafeRawBufferPointer, direction: CaptureDirection, now: UInt64) {
        guard !finished, frame.count > 0 else { return }
        guard session.pendingOutbound == 0 else {
            lost &+= 1
            return
        }
        let length = CapturedPacketRecord.write(
            into: record, version: session.version, captureID: id, direction: direction, timestampNanoseconds: now,
            frame: frame, snapLength: snapLength)
        // SEQPACKET: a record goes whole or not at all. EAGAIN (socket full) and every other
        // failure count as a loss; a dead peer is noticed by the loop through its hangup.
        guard UnixSeqpacket.sendIfRoom(session.socket.raw, UnsafeRawBufferPointer(rebasing: record[..<length])) else {
            lost &+= 1
            return
        }
        captured &+= 1
        if limit != 0 && captured >= limit { finished = true }
    }

    /// The end event of this capture.
    func end(_ reason: CaptureEndReason) -> Event {
        .captureEnded(CaptureEnd(captureID: id, reason: reason, captured: captured, lost: lost))
    }
}

/// Every running capture, bounded, with a per-tenant count so the packet path skips
/// uncaptured tenants with one array load.
struct CaptureTable {
    /// Most captures running at once (each costs a record buffer and a send per frame).
    static let maxCaptures = 8

    private(set) var active: [Capture] = []
    /// Captures per tenant, indexed by tenant id (grown when a capture starts, never on the packet path).
    private var watched: [UInt8] = []
    private var nextID: UInt32 = 1
    /// Whether some capture reached its limit and waits for its end event.
    private(set) var hasFinished = false

    var isFull: Bool { active.count >= Self.maxCaptures }

    /// Starts a capture; the caller checked the tenant, the snap length and `isFull`.
    mutating func start(tenant: TenantID, session: ControlSession, limit: UInt32, snapLength: Int) -> Capture {
        if active.isEmpty { active.reserveCapacity(Self.maxCaptures) }
        let capture = Capture(id: nextID, tenant: tenant, session: session, limit: limit, snapLength: snapLength)
        nextID = nextID == UInt32.max ? 1 : nextID + 1
        active.append(capture)
        let index = Int(tenant)
        if watched.count <= index { watched += Array(repeating: 0, count: index + 1 - watched.count) }
        watched[index] += 1
        return capture
    }

    /// Captures of `tenant` running.
    func count(of tenant: TenantID) -> Int {
        let index = Int(tenant)
        return index < watched.count ? Int(watched[index]) : 0
    }

    /// Whether any capture watches `tenant` (one array load).
    func watches(_ tenant: UInt32) -> Bool {
        let index = Int(tenant)
        return index < watched.count && watched[index] != 0
    }

    /// Hands one frame of `tenant` to each of its captures. Packet path: returns after one
    /// array load when nobody captures the tenant.
    mutating func record(_ frame: UnsafeRawBufferPointer, tenant: UInt32, direction: CaptureDirection) {
        guard watches(tenant) else { return }
        let now = RealtimeClock.nanoseconds()
        for capture in active where capture.tenant == tenant {
            capture.take(frame, direction: direction, now: now)
            if capture.finished { hasFinished = true }
        }
    }

    /// Removes and returns the captures `matching` says to end.
    mutating func remove(where matching: (Capture) -> Bool) -> [Capture] {
        let ended = active.filter(matching)
        guard !ended.isEmpty else { return [] }
        active.removeAll(where: matching)
        for capture in ended { watched[Int(capture.tenant)] -= 1 }
        hasFinished = active.contains { $0.finished }
        return ended
    }
}
