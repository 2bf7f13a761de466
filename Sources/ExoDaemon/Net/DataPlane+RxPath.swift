// The receive path: packets from the NIC's device checked and routed (DataPlane+Route.swift),
// copied into the session's fill frames and published on its rx ring, a batch at a time.

import ExoCore
import ExoPlatform
import ExoWire
import ExoPacket

extension DataPlane {
    /// Takes one wake-up's worth of packets from the device and routes each, then publishes
    /// every path's received frames and releases impaired copies that are due.
    func receive() {
        guard let nic else { return }
        // One switch per wake-up; the loop below is specialized for the backend.
        switch nic.device {
        case .tap(let device): receive(from: device, nic: nic)
        case .packet(let device): receive(from: device, nic: nic)
        case .memory(let device): receive(from: device, nic: nic)
        }
        publishReceived()
        if impairment.isActive { releaseImpaired() }
    }

    @inline(__always)
    private func receive<Device: NetworkDevice>(from device: Device, nic: NicPort) {
        let outcome = device.receive(max: Device.packetsPerWake, into: nic.rxBuffer) { packet in
            routeReceived(packet, nic: nic)
        }
        if outcome.malformed > 0 { nic.counters.count(.ringMalformed, times: outcome.malformed) }
    }

    /// Copies `source` (the daemon's own memory or a packet in the packet ring, lent for the
    /// call) into a fill frame of the session and queues its descriptor for rx, published
    /// with the rest of the batch.
    func deliver(_ source: UnsafeRawBufferPointer, to session: SessionID, nic: NicPort) {
        let length = source.count
        guard let path = paths[session], !path.broken else {
            nic.counters.count(.noBinding)
            return
        }
        let tenant = Int(path.tenant)
        guard length <= Int(config.frameSize) else {
            counters[tenant].count(.tooLongForFrame)
            return
        }
        guard let frame = takeFillFrame(path) else {
            counters[tenant].count(.noFillFrame)
            return
        }
        do {
            let base = try control.backing.mapping(frame: frame)
            base.copyMemory(from: source.baseAddress!, byteCount: length)
        } catch {
            Log.warning("cannot map frame \(frame): \(error)")
            path.restoreFillFrame(frame)
            counters[tenant].count(.noFillFrame)
            return
        }
        // Published with the rest of the batch (`publishReceived`): one release store, one
        // fence and at most one kick per batch instead of per packet.
        if !path.hasPendingReceived { pathsWithPendingRx.append(path) }
        if path.queueReceived(RingDescriptor(frame: frame, length: UInt32(length))) { publishPendingRx(of: path) }
    }

    /// Publishes every path's received frames (after each receive batch and each tx kick,
    /// whose hairpin deliveries are received frames too).
    func publishReceived() {
        if pathsWithPendingRx.isEmpty { return }
        for path in pathsWithPendingRx { publishPendingRx(of: path) }
        pathsWithPendingRx.removeAll(keepingCapacity: true)
    }

    /// Publishes `path`'s pending rx descriptors. Those published leave flight and count as
    /// received; those the full ring refused go back to the stash, counted as rxRingFull.
    private func publishPendingRx(of path: SessionRings) {
        guard path.hasPendingReceived else { return }
        let tenant = Int(path.tenant)
        if captures.watches(path.tenant) { captureReceived(path) }
        let refused: Int
        do {
            refused = try path.publishReceived { descriptor in
                _ = control.apply(control.arbiter.removeInFlight(session: path.session, frame: descriptor.frame))
                counters[tenant].rxPackets &+= 1
                counters[tenant].rxBytes &+= UInt64(descriptor.length)
            }
        } catch {
            breakPath(path, error)
            return
        }
        for _ in 0..<refused { counters[tenant].count(.rxRingFull) }
    }

    /// Records the pending rx packets a capture of the tenant should see: those the rx ring
    /// has room for, so exactly the packets the publish that follows hands over (the daemon
    /// is the ring's only producer, and the tenant can only free more slots meanwhile).
    private func captureReceived(_ path: SessionRings) {
        guard let room = try? path.rx.refreshFreeSlots() else { return }
        path.forEachPendingReceived(max: room) { descriptor in
            guard let base = try? control.backing.mapping(frame: descriptor.frame) else { return }
            captures.record(
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
                breakPath(path, error)
                return
            }
            if count == 0 { return }
            for index in 0..<count {
                let descriptor = path.scratch[index]
                if let fault = admit(descriptor, from: path, needsLength: false) {
                    report(fault, frame: descriptor.frame, path: path)
                    continue
                }
                path.stashFillFrame(descriptor.frame)
            }
        }
    }
}
