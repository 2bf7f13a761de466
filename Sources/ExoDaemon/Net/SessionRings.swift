// One session's data path: its shared ring region (mapped here), the daemon's ends of the
// four rings, the two eventfds, and the fill frames the daemon took and holds in flight.

import ExoCore
import ExoPlatform
import ExoWire

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
    private var stash: [FrameNumber]
    /// Frames in `stash` or `pendingRx`: a fill frame posted again is refused without asking
    /// the arbiter (which refuses every frame in flight anywhere, tx frames included).
    private var onRing: FrameSet
    /// Received frames not yet published on rx: the whole batch goes out with one release
    /// store, one fence and at most one kick (`RxDelivery.publishReceived`). Capacity `batch`.
    private var pendingRx: [RingDescriptor]
    private var pendingRxCount = 0
    /// Sent (or refused) tx frames not yet handed back on completion, published per tx batch
    /// like `pendingRx`. They keep their in-flight reference until published. Capacity `batch`.
    private var pendingCompletion: [RingDescriptor]
    private var pendingCompletionCount = 0
    /// Scratch for consumed descriptors: no allocation per packet.
    private(set) var scratch: [RingDescriptor]
    /// Set once a ring index was not believable: the path is no longer served.
    var broken = false
    /// Faults found on this path and not yet reported (coalesced, rate-limited).
    var faults: FaultReportLimiter
    /// Whether the path is in `DataPlaneState.pathsWithWaitingFaults`.
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

    // MARK: fill frames (stash and on-ring set)

    /// Fill frames this path may still take: the stash never outgrows the capacity reserved
    /// for it, so taking never allocates.
    var fillRoom: Int { Int(layout.fill.capacity) - stash.count - pendingRxCount }

    /// Whether `frame` is one of this path's fill frames (stashed or received into).
    func isOnRing(_ frame: FrameNumber) -> Bool { onRing.contains(frame) }

    /// Keeps a fill frame the caller admitted (it holds one in-flight reference now).
    func stashFillFrame(_ frame: FrameNumber) {
        _ = onRing.insert(frame)
        stash.append(frame)
    }

    /// A fill frame to receive into, if one is stashed. It stays on the ring: receive into
    /// it and `queueReceived`, or hand it back with `restoreFillFrame`.
    func popFillFrame() -> FrameNumber? { stash.popLast() }

    /// Puts back a frame `popFillFrame` gave that was not received into.
    func restoreFillFrame(_ frame: FrameNumber) { stash.append(frame) }

    /// Takes `frame` out of the stash, if it waits there, so nothing is received into it (the
    /// abort protocol takes it); the caller drops its in-flight reference. False if it is not
    /// stashed (received into, or not this path's).
    func withdrawFromStash(_ frame: FrameNumber) -> Bool {
        guard let index = stash.firstIndex(of: frame) else { return false }
        stash.remove(at: index)
        onRing.remove(frame)
        return true
    }

    // MARK: received frames

    var hasPendingReceived: Bool { pendingRxCount > 0 }

    /// Queues a frame received into (from `popFillFrame`) for the next rx publish. Returns
    /// true when the batch is full: publish before queueing more.
    func queueReceived(_ descriptor: RingDescriptor) -> Bool {
        pendingRx[pendingRxCount] = descriptor
        pendingRxCount += 1
        return pendingRxCount == Self.batch
    }

    /// The first `max` pending received descriptors, oldest first (what a capture sees).
    func forEachPendingReceived(max: Int, _ body: (RingDescriptor) -> Void) {
        for index in 0..<min(max, pendingRxCount) { body(pendingRx[index]) }
    }

    /// Publishes the pending received frames on rx with one release store, kicking the
    /// tenant once if it asked. Each published frame leaves the on-ring set and is handed to
    /// `published` (its in-flight reference is the caller's to drop); those the full ring
    /// refused go back to the stash. Returns how many were refused. On a ring violation every
    /// pending frame goes back to the stash, and the violation is thrown.
    func publishReceived(_ published: (RingDescriptor) -> Void) throws(RingViolation) -> Int {
        let pending = pendingRxCount
        if pending == 0 { return 0 }
        pendingRxCount = 0
        let count: Int
        do {
            count = try Self.publish(pendingRx, count: pending, on: &rx, kicking: daemonToTenant)
        } catch {
            for index in 0..<pending { stash.append(pendingRx[index].frame) }
            throw error
        }
        for index in 0..<count {
            onRing.remove(pendingRx[index].frame)
            published(pendingRx[index])
        }
        for index in count..<pending { stash.append(pendingRx[index].frame) }
        return pending - count
    }

    // MARK: completions

    /// Whether the completion batch is full: publish before queueing more.
    var completionBatchFull: Bool { pendingCompletionCount == Self.batch }

    /// Queues a sent (or refused) tx frame to go back on completion with its batch.
    func queueCompletion(_ descriptor: RingDescriptor) {
        pendingCompletion[pendingCompletionCount] = descriptor
        pendingCompletionCount += 1
    }

    /// Publishes the queued completions (one release store, at most one kick) and hands
    /// every queued frame to `leftFlight`, published or not: a path whose ring index is not
    /// believable breaks, and its frames leave flight anyway (the violation is thrown after).
    func publishCompletions(_ leftFlight: (FrameNumber) -> Void) throws(RingViolation) {
        let pending = pendingCompletionCount
        if pending == 0 { return }
        pendingCompletionCount = 0
        defer { for index in 0..<pending { leftFlight(pendingCompletion[index].frame) } }
        _ = try Self.publish(pendingCompletion, count: pending, on: &completion, kicking: daemonToTenant)
    }

    // MARK: reports

    /// Entries queued on one ring now (published by its producer, not yet taken by its
    /// consumer), from the shared indices as they are: for the metrics, read at scrape time,
    /// bounded by the capacity but not checked like the serving path checks them.
    func reportedEntries(on kind: RingKind) -> Int {
        switch kind {
        case .fill: fill.reportedEntries
        case .tx: tx.reportedEntries
        case .rx: rx.reportedEntries
        case .completion: completion.reportedEntries
        }
    }

    // MARK: end

    /// Hands every frame this path holds in flight (stashed, received into, awaiting
    /// completion) to `body` and forgets them: the session is ending.
    func releaseAll(_ body: (FrameNumber) -> Void) {
        for frame in stash { body(frame) }
        for index in 0..<pendingRxCount { body(pendingRx[index].frame) }
        for index in 0..<pendingCompletionCount { body(pendingCompletion[index].frame) }
        stash.removeAll()
        pendingRxCount = 0
        pendingCompletionCount = 0
        onRing.removeAll()
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
