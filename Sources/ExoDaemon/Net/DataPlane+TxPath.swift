// The transmit path: a tenant's tx descriptors bound-checked, copied out into the device's
// transmit slot, guard-checked, hairpinned or sent (staged, flushed per batch), completed.

import ExoCore
import ExoPlatform
import ExoWire
import ExoPacket

extension DataPlane {
    /// Batches of tx descriptors handled per kick before yielding to other sessions.
    static let txBatchesPerWake = 8

    /// Serves the tenant's tx ring after a kick: up to `txBatchesPerWake` batches, then sleeps
    /// on the ring (need-wakeup) or, if more is queued, re-kicks itself to come back later.
    func transmit(_ path: SessionRings) {
        // A polling loop found the work itself: no kick to clear (saves a read per serve).
        if !polling { _ = path.tenantToDaemon.drain() }
        refill(path)
        if let nic {
            // One switch per kick; the loop is specialized for the backend.
            switch nic.device {
            case .tap(let device): serveTx(path, device: device, nic: nic)
            case .packet(let device): serveTx(path, device: device, nic: nic)
            case .memory(let device): serveTx(path, device: device, nic: nic)
            }
        }
        publishCompletions(path)
        // Hairpinned packets were delivered to other tenants' pending rx.
        publishReceived()
        if impairment.isActive { releaseImpaired() }
    }

    private func serveTx<Device: NetworkDevice>(_ path: SessionRings, device: Device, nic: NicPort) {
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
            for index in 0..<count { send(path.scratch[index], from: path, device: device, nic: nic) }
            flush(device, path: path, nic: nic)
            publishCompletions(path)
        }
        // More is queued: come back after the other sessions (a polling loop does anyway).
        if !polling { path.tenantToDaemon.signal() }
    }

    @inline(__always)
    private func send<Device: NetworkDevice>(
        _ descriptor: RingDescriptor, from path: SessionRings, device: Device, nic: NicPort
    ) {
        if let fault = admit(descriptor, from: path, needsLength: true) {
            report(fault, frame: descriptor.frame, path: path)
            return
        }
        let tenant = Int(path.tenant)
        let length = Int(descriptor.length)
        let frame = descriptor.frame
        // The daemon's own copy, in the device's next transmit slot.
        let destination = device.transmitSlot()
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
            // Counted when the batch is flushed.
            device.stage(length: length)
        case .deny(let reason):
            counters[tenant].count(reason)
        }
        complete(descriptor, path: path)
    }

    /// Sends the device's staged packets (one sendmmsg on the packet backend when all
    /// succeed) and counts them for the path's tenant and the NIC.
    @inline(__always)
    private func flush<Device: NetworkDevice>(_ device: Device, path: SessionRings, nic: NicPort) {
        let outcome = device.flush()
        let tenant = Int(path.tenant)
        counters[tenant].txPackets &+= UInt64(outcome.sent)
        counters[tenant].txBytes &+= UInt64(outcome.sentBytes)
        nic.counters.sent(packets: outcome.sent, bytes: outcome.sentBytes)
        for _ in 0..<outcome.failed { counters[tenant].count(.tapWriteFailed) }
    }

    /// Queues a tx frame to be handed back on completion with the rest of its batch.
    private func complete(_ descriptor: RingDescriptor, path: SessionRings) {
        if path.completionBatchFull { publishCompletions(path) }
        path.queueCompletion(descriptor)
    }

    /// Hands the queued tx frames back on the completion ring (one release store, one fence,
    /// at most one kick) and drops their in-flight references. The ring has room for all of
    /// them: `serveTx` takes no more tx descriptors than completion has free slots, and a
    /// tenant's consumer index only ever frees more. Should the index be unbelievable, the
    /// path breaks and the frames leave flight anyway (they come back when the session ends).
    func publishCompletions(_ path: SessionRings) {
        do {
            try path.publishCompletions { frame in
                _ = control.apply(control.arbiter.removeInFlight(session: path.session, frame: frame))
            }
        } catch {
            breakPath(path, error)
        }
    }
}
