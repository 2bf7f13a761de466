// The packet path: frames from the TAP or the packet ring routed into fill frames and posted
// on rx; tx descriptors bound-checked, copied out, guard-checked, written or batched, completed.

import ExoCore
import ExoPlatform
import ExoWire
import ExoPacket
import Glibc

extension DataPlane {
    /// Batches of tx descriptors handled per kick before yielding to other sessions.
    static let txBatchesPerWake = 8

    // MARK: receive

    /// Frames of the packet ring handled per wake-up before yielding to other sessions.
    static let ringFramesPerWake = 256

    /// Reads up to one batch of frames (TAP) or a few batches' worth of ring slots (packet)
    /// and routes each.
    func receive() {
        guard let nic else { return }
        switch nic.device {
        case .tap(let tap): receive(from: tap, nic: nic)
        case .packet(let socket): receive(from: socket, nic: nic)
        }
        publishReceived()
        if impairment.isActive { releaseImpaired() }
    }

    private func receive(from tap: TapDevice, nic: NicPort) {
        for _ in 0..<SessionRings.batch {
            let length: Int
            do {
                var span = nic.rxBuffer.mutableBytes
                guard let read = try tap.read(into: &span) else { return }
                length = read
            } catch {
                Log.warning("TAP read failed: \(error)")
                return
            }
            nic.rxPackets &+= 1
            nic.rxBytes &+= UInt64(length)
            guard nic.fits(length) else {
                nic.nicDrops[NicDrop.tooLong.rawValue] &+= 1
                continue
            }
            route(UnsafeRawBufferPointer(rebasing: nic.rxBuffer[..<length]), nic: nic)
        }
    }

    private func receive(from socket: PacketSocket, nic: NicPort) {
        var malformed: UInt64 = 0
        _ = socket.receive(max: Self.ringFramesPerWake, malformed: &malformed) { frame in routeRingFrame(frame, nic: nic) }
        nic.nicDrops[NicDrop.ringMalformed.rawValue] &+= malformed
    }

    /// Copies `source` (the daemon's own memory or a frame in the packet ring, lent for the
    /// call) into a fill frame of the session and queues its descriptor for rx, published
    /// with the rest of the batch.
    func deliver(_ source: UnsafeRawBufferPointer, to session: SessionID, nic: NicPort) {
        let length = source.count
        guard let path = paths[session], !path.broken else {
            nic.rxDrops[DropReason.noBinding.counterIndex] &+= 1
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
            path.stash.append(frame)
            counters[tenant].count(.noFillFrame)
            return
        }
        // Published with the rest of the batch (`publishReceived`): one release store, one
        // fence and at most one kick per batch instead of per frame.
        if path.pendingCount == 0 { pathsWithPendingRx.append(path) }
        path.pendingRx[path.pendingCount] = RingDescriptor(frame: frame, length: UInt32(length))
        path.pendingCount += 1
        if path.pendingCount == SessionRings.batch { publishPendingRx(of: path) }
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
        let pending = path.pendingCount
        if pending == 0 { return }
        let tenant = Int(path.tenant)
        if captures.watches(path.tenant) { captureReceived(path) }
        let published: Int
        do {
            published = try path.publishPendingRx()
        } catch {
            for index in 0..<pending { path.stash.append(path.pendingRx[index].frame) }
            path.pendingCount = 0
            breakPath(path, error)
            return
        }
        for index in 0..<published {
            let descriptor = path.pendingRx[index]
            path.onRing.remove(descriptor.frame)
            _ = control.apply(control.arbiter.removeInFlight(session: path.session, frame: descriptor.frame))
            counters[tenant].rxPackets &+= 1
            counters[tenant].rxBytes &+= UInt64(descriptor.length)
        }
        for index in published..<pending {
            path.stash.append(path.pendingRx[index].frame)
            counters[tenant].count(.rxRingFull)
        }
        path.pendingCount = 0
    }

    /// Records the pending rx frames a capture of the tenant should see: those the rx ring
    /// has room for, so exactly the frames the publish that follows hands over (the daemon
    /// is the ring's only producer, and the tenant can only free more slots meanwhile).
    private func captureReceived(_ path: SessionRings) {
        guard let room = try? path.rx.refreshFreeSlots() else { return }
        for index in 0..<min(room, path.pendingCount) {
            let descriptor = path.pendingRx[index]
            guard let base = try? control.backing.mapping(frame: descriptor.frame) else { continue }
            captures.record(
                UnsafeRawBufferPointer(start: base, count: Int(descriptor.length)), tenant: path.tenant,
                direction: .received)
        }
    }

    /// A fill frame to receive into, taking more from the fill ring when the stash is empty.
    private func takeFillFrame(_ path: SessionRings) -> FrameNumber? {
        if path.stash.isEmpty { refill(path) }
        return path.stash.popLast()
    }

    /// Moves the tenant's fill descriptors into the stash, each checked and put in flight.
    func refill(_ path: SessionRings) {
        while !path.broken {
            // The stash never outgrows the capacity reserved for it (no allocation).
            let room = Int(path.layout.fill.capacity) - path.stash.count - path.pendingCount
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
                path.onRing.insert(descriptor.frame)
                path.stash.append(descriptor.frame)
            }
        }
    }

    // MARK: transmit

    /// Serves the tenant's tx ring after a kick: up to `txBatchesPerWake` batches, then sleeps
    /// on the ring (need-wakeup) or, if more is queued, re-kicks itself to come back later.
    func transmit(_ path: SessionRings) {
        serveTx(path)
        publishCompletions(path)
        // Hairpinned frames were delivered to other tenants' pending rx.
        publishReceived()
        if impairment.isActive { releaseImpaired() }
    }

    private func serveTx(_ path: SessionRings) {
        // A polling loop found the work itself: no kick to clear (saves a read per serve).
        if !polling { _ = path.tenantToDaemon.drain() }
        refill(path)
        guard let nic else { return }
        for _ in 0..<Self.txBatchesPerWake {
            guard !path.broken else { return }
            let count: Int
            do {
                // Never take more than completion can hold: every taken frame goes back.
                let room = try path.completion.refreshFreeSlots()
                count = try path.take(fromFill: false, max: room)
            } catch {
                breakPath(path, error)
                return
            }
            if count == 0 {
                // Polling: the loop comes back to this ring by itself.
                if polling { return }
                do {
                    if try path.tx.prepareToSleep() { return }
                } catch {
                    breakPath(path, error)
                    return
                }
                continue
            }
            for index in 0..<count { send(path.scratch[index], from: path, nic: nic) }
            if case .packet(let socket) = nic.device { flush(socket, path: path, nic: nic) }
            publishCompletions(path)
        }
        // More is queued: come back after the other sessions (a polling loop does anyway).
        if !polling { path.tenantToDaemon.signal() }
    }

    private func send(_ descriptor: RingDescriptor, from path: SessionRings, nic: NicPort) {
        if let fault = admit(descriptor, from: path, needsLength: true) {
            report(fault, frame: descriptor.frame, path: path)
            return
        }
        let tenant = Int(path.tenant)
        let length = Int(descriptor.length)
        let frame = descriptor.frame
        // The daemon's own copy: the TAP's tx buffer, or the packet socket's next batch slot.
        let destination: UnsafeMutableRawBufferPointer
        switch nic.device {
        case .tap: destination = nic.txBuffer
        case .packet(let socket): destination = socket.nextSlot()
        }
        guard length <= destination.count else {
            counters[tenant].count(.tapWriteFailed)
            complete(descriptor, path: path)
            return
        }
        do {
            let base = try control.backing.mapping(frame: frame)
            destination.baseAddress!.copyMemory(from: base, byteCount: length)
        } catch {
            Log.warning("cannot map frame \(frame): \(error)")
            counters[tenant].count(.tapWriteFailed)
            complete(descriptor, path: path)
            return
        }
        // The guard reads only the daemon's copy: the tenant may rewrite its frame meanwhile.
        let copy = UnsafeRawBufferPointer(rebasing: destination[..<length])
        switch EgressGuard.check(PacketBytes(unsafeBuffer: copy), from: path.tenant, plan: plan, linkMTU: Int(nic.mtu)) {
        case .allow:
            captures.record(copy, tenant: path.tenant, direction: .sent)
            if hairpin(UnsafeMutableRawBufferPointer(rebasing: destination[..<length]), from: path, nic: nic) { break }
            // Impairment off: this one branch is all it costs. Lost or held: not sent now.
            if impairment.isActive, interceptSent(copy, from: path) { break }
            guard case .tap(let tap) = nic.device else {
                // Counted when the batch is flushed.
                if case .packet(let socket) = nic.device { socket.stage(length: length) }
                break
            }
            let written = (try? tap.write(copy.bytes)) ?? false
            if written {
                counters[tenant].txPackets &+= 1
                counters[tenant].txBytes &+= UInt64(length)
                nic.txPackets &+= 1
                nic.txBytes &+= UInt64(length)
            } else {
                counters[tenant].count(.tapWriteFailed)
            }
        case .deny(let reason):
            counters[tenant].count(reason)
        }
        complete(descriptor, path: path)
    }

    /// Sends the packet socket's staged frames (one sendmmsg when all succeed) and counts
    /// them for the path's tenant and the NIC.
    private func flush(_ socket: PacketSocket, path: SessionRings, nic: NicPort) {
        guard socket.stagedCount > 0 else { return }
        let outcome = socket.flushTransmit()
        let tenant = Int(path.tenant)
        counters[tenant].txPackets &+= UInt64(outcome.sent)
        counters[tenant].txBytes &+= UInt64(outcome.sentBytes)
        nic.txPackets &+= UInt64(outcome.sent)
        nic.txBytes &+= UInt64(outcome.sentBytes)
        for _ in 0..<outcome.failed { counters[tenant].count(.tapWriteFailed) }
    }

    /// Queues a tx frame to be handed back on completion with the rest of its batch.
    private func complete(_ descriptor: RingDescriptor, path: SessionRings) {
        if path.pendingCompletionCount == SessionRings.batch { publishCompletions(path) }
        path.pendingCompletion[path.pendingCompletionCount] = descriptor
        path.pendingCompletionCount += 1
    }

    /// Hands the queued tx frames back on the completion ring (one release store, one fence,
    /// at most one kick) and drops their in-flight references. The ring has room for all of
    /// them: `serveTx` takes no more tx descriptors than completion has free slots, and a
    /// tenant's consumer index only ever frees more. Should the index be unbelievable, the
    /// path breaks and the frames leave flight anyway (they come back when the session ends).
    func publishCompletions(_ path: SessionRings) {
        let pending = path.pendingCompletionCount
        if pending == 0 { return }
        do {
            _ = try path.publishPendingCompletions()
        } catch {
            breakPath(path, error)
        }
        for index in 0..<pending {
            _ = control.apply(control.arbiter.removeInFlight(session: path.session, frame: path.pendingCompletion[index].frame))
        }
        path.pendingCompletionCount = 0
    }

    // MARK: checks

    /// Checks a descriptor the tenant posted and, if it passes, puts its frame in flight.
    /// The frame must be in the pool, the length fit it (and, on tx, hold an Ethernet
    /// header), the session hold it writable, and the frame be on no ring already — also
    /// not earlier in the same batch — so that every frame comes back exactly once.
    private func admit(_ descriptor: RingDescriptor, from path: SessionRings, needsLength: Bool) -> DataPathFaultReason? {
        switch bounds.check(descriptor) {
        case .frameOutOfRange: return .frameOutOfRange
        case .lengthTooLarge: return .badLength
        case .unknownFlags: return .unknownFlags
        case nil: break
        }
        if needsLength && descriptor.length < 14 { return .badLength }
        // This path's own fill frames are in flight (and held writable) by its invariant: no lookup.
        if path.onRing.contains(descriptor.frame) { return .alreadyInFlight }
        switch control.arbiter.admitInFlight(session: path.session, frame: descriptor.frame) {
        case .admitted: return nil
        case .notHeldWritable: return .notHeldWritable
        case .alreadyInFlight: return .alreadyInFlight
        }
    }

    /// Counts the fault and leaves it to the path's limiter: the daemon reports it (or folds
    /// it into a report) after the wake-up, as rate and queue allow. No allocation per fault.
    private func report(_ fault: DataPathFaultReason, frame: FrameNumber, path: SessionRings) {
        counters[Int(path.tenant)].count(fault)
        path.faults.record(reason: fault.rawValue, frame: frame)
        if !path.listedForFaults {
            path.listedForFaults = true
            pathsWithWaitingFaults.append(path)
        }
    }

    /// A ring index no well-behaved tenant writes: the path stops being served (its session
    /// lives on; its frames come back when it ends).
    private func breakPath(_ path: SessionRings, _ violation: RingViolation) {
        guard !path.broken else { return }
        path.broken = true
        Log.warning("session \(path.session): ring violation \(violation); data path no longer served")
        report(.ringIndex, frame: 0, path: path)
    }
}
