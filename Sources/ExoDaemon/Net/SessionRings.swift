// One session's data path: its shared ring region (mapped here), the daemon's ends of the
// four rings, the two eventfds, and the fill frames the daemon took and holds in flight.

import ExoCore
import ExoPlatform
import ExoWire
import Glibc

/// The daemon's side of a session's rings. Owns the region mapping and the eventfds (the
/// tenant got duplicates); dropping the object unmaps and closes them.
///
/// Invariant: `onRing` holds exactly the frames this path took from the tenant's fill ring
/// and has not yet published on rx — those in `stash` (ready to receive into) and those in
/// `pendingRx` (received into, to be published with the batch); each has one in-flight
/// reference in the arbiter.
final class SessionRings {
    /// Descriptors handled per ring per wake-up (the scratch buffers' size).
    static let batch = 64

    let tenant: UInt32
    let session: UInt64
    let connectionID: UInt64
    let layout: SessionRingsLayout
    private let region: MappedMemory
    let daemonToTenant: EventFD
    let tenantToDaemon: EventFD
    var fill: RingConsumer
    var tx: RingConsumer
    var rx: RingProducer
    var completion: RingProducer
    /// Fill frames taken off the ring, ready to receive into (a stack; capacity preallocated).
    var stash: [FrameNumber]
    /// Frames in `stash` or `pendingRx`: a fill frame posted again is refused without asking
    /// the arbiter (which refuses every frame in flight anywhere, tx frames included).
    var onRing: FrameSet
    /// Received frames not yet published on rx: the whole batch goes out with one release
    /// store, one fence and at most one kick (`DataPlane.publishReceived`). Capacity `batch`.
    var pendingRx: [RingDescriptor]
    var pendingCount = 0
    /// Sent (or refused) tx frames not yet handed back on completion, published per tx batch
    /// like `pendingRx`. They keep their in-flight reference until published. Capacity `batch`.
    var pendingCompletion: [RingDescriptor]
    var pendingCompletionCount = 0
    /// Scratch for consumed descriptors: no allocation per packet.
    var scratch: [RingDescriptor]
    /// Set once a ring index was not believable: the path is no longer served.
    var broken = false
    /// Faults found on this path and not yet reported (coalesced, rate-limited).
    var faults: FaultReportLimiter
    /// Whether the path is in `DataPlane.pathsWithWaitingFaults`.
    var listedForFaults = false

    /// Maps `memfd` (the caller keeps ownership) as the region of `layout`, initializes the
    /// rings and sets need-wakeup on tx (the daemon sleeps until the tenant kicks).
    init(
        tenant: UInt32, session: UInt64, connectionID: UInt64, layout: SessionRingsLayout, memfd: Int32,
        frameCount: UInt32, faults: FaultReportLimiter
    ) throws(SystemError)
    {
        self.faults = faults
        self.tenant = tenant
        self.session = session
        self.connectionID = connectionID
        self.layout = layout
        region = try MappedMemory.map(memfd, length: layout.byteCount, writable: true)
        daemonToTenant = try EventFD()
        tenantToDaemon = try EventFD()
        let base = region.withUnsafeMutableBytes { $0.baseAddress! }
        layout.initialize(unsafeRegion: base)
        fill = RingConsumer(memory: layout.memory(of: .fill, unsafeRegion: base))
        tx = RingConsumer(memory: layout.memory(of: .tx, unsafeRegion: base))
        rx = RingProducer(memory: layout.memory(of: .rx, unsafeRegion: base))
        completion = RingProducer(memory: layout.memory(of: .completion, unsafeRegion: base))
        let capacity = Int(layout.fill.capacity)
        stash = []
        stash.reserveCapacity(capacity)
        onRing = FrameSet(capacity: frameCount)
        pendingRx = Array(repeating: RingDescriptor(frame: 0, length: 0), count: Self.batch)
        pendingCompletion = Array(repeating: RingDescriptor(frame: 0, length: 0), count: Self.batch)
        scratch = Array(repeating: RingDescriptor(frame: 0, length: 0), count: Self.batch)
        _ = try? tx.prepareToSleep()
    }

    /// Publishes the first `pendingCount` descriptors of `pendingRx` on rx with one release
    /// store; kicks the tenant once if it asked. Returns how many fit (the rest stay).
    func publishPendingRx() throws(RingViolation) -> Int {
        try Self.publish(pendingRx, count: pendingCount, on: &rx, kicking: daemonToTenant)
    }

    /// The same for `pendingCompletion` on the completion ring.
    func publishPendingCompletions() throws(RingViolation) -> Int {
        try Self.publish(pendingCompletion, count: pendingCompletionCount, on: &completion, kicking: daemonToTenant)
    }

    private static func publish(
        _ descriptors: borrowing [RingDescriptor], count: Int, on producer: inout RingProducer, kicking eventfd: EventFD
    ) throws(RingViolation) -> Int {
        let published = try producer.produce(descriptors.span.extracting(0..<count))
        if published.wakeupNeeded { eventfd.signal() }
        return published.count
    }

    /// Up to `batch` descriptors from fill (`fromFill`) or tx into `scratch`; returns how many.
    func take(fromFill: Bool, max limit: Int = .max) throws(RingViolation) -> Int {
        var local: [RingDescriptor] = []
        swap(&local, &scratch)
        defer { swap(&local, &scratch) }
        var span = local.mutableSpan
        return fromFill ? try fill.consume(into: &span, max: limit) : try tx.consume(into: &span, max: limit)
    }
}
