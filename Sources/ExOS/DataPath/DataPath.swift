// A tenant's data path: the ring region mapped, the two eventfds, and the frames it moves.
// Receives into fill frames, hands out zero-copy packet slots, sends from transmit frames.

import ExoClient
import ExoPlatform
import ExoWire

/// The tenant side of a session's data path (``ExoSession/openDataPath(ringCapacity:)``).
///
/// Ownership: the data path owns the ring region's mapping, both eventfds (closed when it
/// goes away) and the frames given to `postFill` / `addTransmitFrames` (kept mapped and
/// pinned: their `unmap()` does nothing until the data path is gone).
///
/// Single-threaded: use it from one thread at a time (it is not `Sendable`).
///
/// Lifetime rule: ``ReceivedBatch``, ``ReceivedPacket`` and ``TransmitSlot`` point into this
/// object without holding a reference (no reference counting per packet). Each must be
/// consumed or dropped before the data path is released; releasing it while any is alive
/// traps rather than leave a slot pointing at freed memory.
///
/// Flow: frames move fill → rx → application → (`recycle`) fill, and transmit pool →
/// application → (`send`) tx → completion → transmit pool. A received packet can also be
/// sent in place (`reuseForTransmit`); its frame then returns to fill after completion.
/// Posting is batched: `recycle` and `send` stage descriptors, and `flush()` (run by
/// `receive` and `wait` too) publishes them and kicks the daemon if it asked for a wakeup.
public final class DataPath {
    private let core: UnsafeMutablePointer<DataPathCore>
    private let region: MappedMemory
    private let daemonToTenant: EventFD
    private let tenantToDaemon: EventFD
    private var frames: [MappedFrame] = []
    /// The ring geometry both sides computed.
    public let layout: SessionRingsLayout
    /// Bytes per frame; every adopted frame must be mapped with exactly this many.
    public let frameSize: Int
    /// What the daemon said when the data path opened (nil for one built in-process by tests).
    public let info: DataPathInfo?
    /// Ring polls `wait` makes before arming need-wakeup and blocking.
    public var spinIterations = 256
    /// The session's control connection (nil for one built in-process by tests): once it
    /// ends, `wait` throws `.sessionEnded` instead of blocking on rings nobody serves.
    private let liveness: SessionLiveness?

    /// Builds the tenant ends over `region` (mapped read-write, at least `layout.byteCount`
    /// bytes, initialized by the daemon). Takes ownership of `region` and both eventfds.
    init(
        region: MappedMemory, layout: SessionRingsLayout, frameSize: Int,
        daemonToTenant: EventFD, tenantToDaemon: EventFD, info: DataPathInfo? = nil,
        liveness: SessionLiveness? = nil
    ) {
        precondition(region.length >= layout.byteCount, "ring region smaller than its layout")
        let base = region.withUnsafeMutableBytes { $0.baseAddress! }
        self.region = region
        self.layout = layout
        self.info = info
        self.frameSize = frameSize
        self.daemonToTenant = daemonToTenant
        self.tenantToDaemon = tenantToDaemon
        self.liveness = liveness
        core = .allocate(capacity: 1)
        core.initialize(
            to: DataPathCore(rings: layout, region: base, frameSize: UInt32(frameSize), kickFD: tenantToDaemon.fd))
    }

    deinit {
        precondition(core.pointee.outstanding == 0, "a DataPath was released while a packet slot or batch was alive")
        core.deinitialize(count: 1)
        core.deallocate()
        for frame in frames { frame.unpin() }
    }

    // MARK: Frames

    /// Adopts writable mapped frames as receive buffers and stages them for the fill ring
    /// (published by the next `flush`). All or nothing.
    public func postFill(_ frames: [MappedFrame]) throws(DataPathError) {
        try adopt(frames, home: .fill)
    }

    /// Adopts writable mapped frames as the transmit pool `transmitSlot()` draws from.
    public func addTransmitFrames(_ frames: [MappedFrame]) throws(DataPathError) {
        try adopt(frames, home: .transmitPool)
    }

    private func adopt(_ added: [MappedFrame], home: FrameHome) throws(DataPathError) {
        var seen = Set<FrameNumber>()
        for frame in added {
            guard frame.isWritable else { throw .frameNotWritable(frame.frame) }
            guard frame.length == frameSize else {
                throw .frameSizeMismatch(frame.frame, length: frame.length, expected: frameSize)
            }
            guard !frame.isInDataPath, !core.pointee.frames.contains(frame.frame), seen.insert(frame.frame).inserted
            else { throw .frameAlreadyInUse(frame.frame) }
        }
        var entries: [(number: FrameNumber, base: UnsafeMutableRawPointer)] = []
        for frame in added {
            guard let base = frame.pinForDataPath() else {
                for pinned in added.prefix(entries.count) { pinned.unpin() }
                throw frame.isWritable ? .frameAlreadyInUse(frame.frame) : .frameNotWritable(frame.frame)
            }
            entries.append((frame.frame, base))
        }
        frames.append(contentsOf: added)
        core.pointee.add(entries, home: home)
    }

    // MARK: Packets

    /// Publishes staged fill frames and tx packets, then takes up to `max` received packets
    /// off the rx ring. Only one batch may be alive at a time (a second call traps).
    public func receive(max: Int = 64) -> ReceivedBatch {
        core.pointee.openBatch(max: max)
        return ReceivedBatch(core: core, frameSize: frameSize)
    }

    /// A free frame to build a packet in, or nil when every transmit frame is in flight
    /// (completions are reclaimed first). Dropping the slot unsent returns the frame.
    public func transmitSlot() -> TransmitSlot? {
        guard let local = core.pointee.takeTransmit() else { return nil }
        return TransmitSlot(core: core, local: local, frameSize: frameSize)
    }

    /// Publishes what `recycle` and `send` staged (as far as the rings have room), reclaims
    /// completed transmissions, and kicks the daemon if it set need-wakeup on fill or tx.
    public func flush() {
        core.pointee.flush()
    }

    /// Flushes (returning `.ready` at once if that reclaimed transmit frames), then polls rx
    /// and completion `spinIterations` times; if both stay empty, sets need-wakeup on both
    /// and blocks on the daemonToTenant eventfd for up to `timeout` (nil: no limit).
    /// Returns `.ready` when packets or completions may be there, `.timedOut` otherwise.
    public func wait(timeout: Duration? = nil) throws(DataPathError) -> WaitOutcome {
        if liveness?.hasEnded == true { throw .sessionEnded }
        if core.pointee.flush() > 0 { return .ready }
        for _ in 0..<spinIterations where core.pointee.hasInput() { return .ready }
        defer { core.pointee.disarmWakeups() }
        guard core.pointee.armWakeups() else { return .ready }
        let woken: Bool
        do throws(SystemError) {
            woken = try Wakeup.wait(on: daemonToTenant.fd, timeout: timeout)
        } catch {
            throw .waitFailed(error)
        }
        if liveness?.hasEnded == true { throw .sessionEnded }
        return woken || core.pointee.hasInput() ? .ready : .timedOut
    }

    // MARK: Inspection

    /// What this data path has done and refused so far.
    public var counters: DataPathCounters { core.pointee.counters }

    /// Where each frame is now (O(frames); for tests and diagnostics).
    public func census() -> FrameCensus { core.pointee.frames.census() }

    /// Every adopted frame's number, in adoption order.
    public var frameNumbers: [FrameNumber] { core.pointee.frames.numbers }
}

// MARK: Sleeping outside a driver's lock
// A driver that shares the data path between threads (the async runtime) cannot call
// `wait`, which touches the rings while it blocks. It arms under its lock, sleeps on a
// `DataPathSleeper` (a duplicate of the eventfd, no ring) with the lock released, and
// disarms under the lock again.

extension DataPath {
    /// Under the driver's lock: publishes staged work and, when nothing is waiting to be
    /// read, arms need-wakeup on rx and completion. Returns false when the caller should
    /// poll again instead of sleeping.
    func prepareToSleep() -> Bool {
        if core.pointee.flush() > 0 || core.pointee.hasInput() { return false }
        return core.pointee.armWakeups()
    }

    /// Under the driver's lock, by a thread other than the sleeping one after it used the
    /// rings (consuming clears need-wakeup): sets need-wakeup again. Returns false when
    /// input is already waiting, so the sleeper must be woken by hand.
    func rearmForSleeper() -> Bool {
        core.pointee.armWakeups()
    }

    /// Under the driver's lock, after a sleep: need-wakeup off again.
    func finishSleep() {
        core.pointee.disarmWakeups()
    }

    /// Something to sleep on without the data path: a duplicate of the eventfd the daemon
    /// kicks (signalling it wakes the sleeper too) and the session's liveness.
    func makeSleeper() throws(SystemError) -> DataPathSleeper {
        DataPathSleeper(eventfd: EventFD(adopting: try daemonToTenant.descriptor.duplicate()), liveness: liveness)
    }
}

/// Blocks a driver thread until the daemon kicks the data path, a waker signals, or a
/// timeout passes. Touches no ring, so it may run while another thread uses the data path.
struct DataPathSleeper: Sendable {
    /// A duplicate of the daemon-to-tenant eventfd: the same counter, its own descriptor.
    let eventfd: EventFD
    let liveness: SessionLiveness?

    /// Throws `.sessionEnded` once the session's control connection is gone.
    func sleep(timeout: Duration?) throws(DataPathError) {
        if sessionEnded { throw .sessionEnded }
        do throws(SystemError) {
            _ = try Wakeup.wait(on: eventfd.fd, timeout: timeout)
        } catch {
            throw .waitFailed(error)
        }
        if sessionEnded { throw .sessionEnded }
    }

    /// Wakes a thread blocked in `sleep`.
    func wake() { eventfd.signal() }

    /// True once the session's control connection has ended.
    var sessionEnded: Bool { liveness?.hasEnded == true }
}
