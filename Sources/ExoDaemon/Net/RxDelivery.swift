// Delivery to a tenant: a packet copied into one of the session's fill frames and queued,
// the queue published on the rx ring a batch at a time; and the fill ring's descriptors
// taken into the stash, each checked, to receive into.

import ExoCore
import ExoPlatform
import ExoWire

/// The last step of every path a packet takes to a tenant (received, hairpinned,
/// reassembled, released by the impairment). Owned by the data plane, on the loop thread.
final class RxDelivery {
    let state: DataPlaneState

    init(state: DataPlaneState) { self.state = state }

    /// Copies `source` (the daemon's own memory or a packet in the packet ring, lent for the
    /// call) into a fill frame of the session and queues its descriptor for rx, published
    /// with the rest of the batch.
    func deliver(_ source: UnsafeRawBufferPointer, to session: SessionID, nic: NicPort) {
        let length = source.count
        guard let path = state.paths[session], !path.broken else {
            nic.counters.count(.noBinding)
            return
        }
        let tenant = Int(path.tenant)
        guard length <= Int(state.config.frameSize) else {
            state.counters[tenant].count(.tooLongForFrame)
            return
        }
        if state.rates.limited, !state.rates.admitReceived(tenant: tenant, bytes: length) {
            state.counters[tenant].count(.rxRateLimited)
            return
        }
        guard let frame = takeFillFrame(path) else {
            state.counters[tenant].count(.noFillFrame)
            return
        }
        do {
            let base = try state.control.backing.mapping(frame: frame)
            base.copyMemory(from: source.baseAddress!, byteCount: length)
        } catch {
            Log.warning("cannot map frame \(frame): \(error)")
            path.restoreFillFrame(frame)
            state.counters[tenant].count(.noFillFrame)
            return
        }
        // Published with the rest of the batch (`publishReceived`): one release store, one
        // fence and at most one kick per batch instead of per packet.
        if !path.hasPendingReceived { state.pathsWithPendingRx.append(path) }
        if path.queueReceived(RingDescriptor(frame: frame, length: UInt32(length))) { publishPendingRx(of: path) }
    }

    /// Publishes every path's received frames (after each receive batch and each tx kick,
    /// whose hairpin deliveries are received frames too).
    func publishReceived() {
        if state.pathsWithPendingRx.isEmpty { return }
        for path in state.pathsWithPendingRx { publishPendingRx(of: path) }
        state.pathsWithPendingRx.removeAll(keepingCapacity: true)
    }

    /// Publishes `path`'s pending rx descriptors. Those published leave flight and count as
    /// received; those the full ring refused go back to the stash, counted as rxRingFull.
    private func publishPendingRx(of path: SessionRings) {
        guard path.hasPendingReceived else { return }
        let tenant = Int(path.tenant)
        if state.captures.watches(path.tenant) { captureReceived(path) }
        let refused: Int
        let control = state.control
        do {
            refused = try path.publishReceived { descriptor in
                control.handBack(session: path.session, frame: descriptor.frame)
                state.counters[tenant].rxPackets &+= 1
                state.counters[tenant].rxBytes &+= UInt64(descriptor.length)
            }
        } catch {
            state.breakPath(path, error)
            return
        }
        for _ in 0..<refused { state.counters[tenant].count(.rxRingFull) }
    }

    /// Records the pending rx packets a capture of the tenant should see: those the rx ring
    /// has room for, so exactly the packets the publish that follows hands over (the daemon
    /// is the ring's only producer, and the tenant can only free more slots meanwhile).
    private func captureReceived(_ path: SessionRings) {
        guard let room = try? path.rx.refreshFreeSlots() else { return }
        path.forEachPendingReceived(max: room) { descriptor in
            guard let base = try? state.control.backing.mapping(frame: descriptor.frame) else { return }
            state.captures.record(
                UnsafeRawBufferPointer(start: base, count: Int(descriptor.length)), tenant: path.tenant,
                direction: .received)
        }
    }

    /// A fill frame to receive into, taking more from the fill ring when the stash is empty.
    private func takeFillFrame(_ path: SessionRings) -> FrameNumber? {
        if let frame = path.popFillFrame() { return frame }
        refill(path)
        return path.popFillFrame()
    }

    /// Moves the tenant's fill descriptors into the stash, each checked and put in flight.
    func refill(_ path: SessionRings) {
        while !path.broken {
            let room = path.fillRoom
            if room <= 0 { return }
            let count: Int
            do { count = try path.take(fromFill: true, max: room) } catch {
                state.breakPath(path, error)
                return
            }
            if count == 0 { return }
            for index in 0..<count {
                let descriptor = path.scratch[index]
                if let fault = state.admit(descriptor, from: path, needsLength: false) {
                    state.report(fault, frame: descriptor.frame, path: path)
                    continue
                }
                path.stashFillFrame(descriptor.frame)
            }
        }
    }
}
