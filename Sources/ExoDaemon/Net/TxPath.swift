// The transmit path: a tenant's tx descriptors bound-checked, copied out into the device's
// transmit slot, guard-checked, hairpinned (TxPath+Hairpin.swift) or sent (staged, flushed
// per batch), completed.

import ExoCore
import ExoPlatform
import ExoWire
import ExoPacket

/// Tx ring → bound and frame checks → the daemon's copy → egress guard → capture → hairpin,
/// impairment or the device → completions. Owned by the data plane, on the loop thread; its
/// parts are final classes held in `let`s (no dynamic dispatch per packet).
final class TxPath {
    let state: DataPlaneState
    let delivery: RxDelivery
    let reassembly: ReassemblyStage
    let impairment: ImpairmentStage
    /// The impairment's packet-path state, held here so that "impairment off" stays one load
    /// and one branch per packet (no hop through the stage).
    let traffic: TrafficImpairment
    /// The address plan in force, copied here so it is read without a hop per packet; a
    /// reload replaces it between packets (DataPlane.install).
    var plan: AddressPlan

    init(state: DataPlaneState, delivery: RxDelivery, reassembly: ReassemblyStage, impairment: ImpairmentStage) {
        self.state = state
        self.delivery = delivery
        self.reassembly = reassembly
        self.impairment = impairment
        traffic = impairment.traffic
        plan = state.plan
    }

    /// Batches of tx descriptors handled per kick before yielding to other sessions.
    static let txBatchesPerWake = 8

    /// Serves the tenant's tx ring after a kick: up to `txBatchesPerWake` batches, then sleeps
    /// on the ring (need-wakeup) or, if more is queued, re-kicks itself to come back later.
    func transmit(_ path: SessionRings) {
        // A polling loop found the work itself: no kick to clear (saves a read per serve).
        if !state.polling { _ = path.tenantToDaemon.drain() }
        delivery.refill(path)
        if let nic = state.nic {
            // One switch per kick; the loop is specialized for the backend.
            switch nic.device {
            case .tap(let device): serveTx(path, device: device, nic: nic)
            case .packet(let device): serveTx(path, device: device, nic: nic)
            case .memory(let device): serveTx(path, device: device, nic: nic)
            }
        }
        publishCompletions(path)
        // Hairpinned packets were delivered to other tenants' pending rx.
        delivery.publishReceived()
        if traffic.isActive { impairment.releaseDue() }
    }

    private func serveTx<Device: NetworkDevice>(_ path: SessionRings, device: Device, nic: NicPort) {
        for _ in 0..<Self.txBatchesPerWake {
            guard !path.broken else { return }
            let count: Int
            do {
                // Never take more than completion can hold: every taken frame goes back.
                var room = try path.completion.refreshFreeSlots()
                // Nor more than the tenant may send now: the rest waits on its ring (a full
                // ring is the sender's backpressure), and the ring is served again when the
                // tenant's bucket has refilled.
                if state.rates.limited {
                    room = min(room, state.rates.sendAllowance(tenant: Int(path.tenant)))
                    if room == 0 {
                        state.rates.holdBack(path)
                        return
                    }
                }
                count = try path.take(fromFill: false, max: room)
            } catch {
                state.breakPath(path, error)
                return
            }
            if count == 0 {
                // Polling: the loop comes back to this ring by itself.
                if state.polling { return }
                do {
                    if try path.tx.prepareToSleep() { return }
                } catch {
                    state.breakPath(path, error)
                    return
                }
                continue
            }
            state.served &+= UInt64(count)
            for index in 0..<count { send(path.scratch[index], from: path, device: device, nic: nic) }
            flush(device, path: path, nic: nic)
            publishCompletions(path)
        }
        // More is queued: come back after the other sessions (a polling loop does anyway).
        if !state.polling { path.tenantToDaemon.signal() }
    }

    @inline(__always)
    private func send<Device: NetworkDevice>(
        _ descriptor: RingDescriptor, from path: SessionRings, device: Device, nic: NicPort
    ) {
        if let fault = state.admit(descriptor, from: path, needsLength: true) {
            state.report(fault, frame: descriptor.frame, path: path)
            return
        }
        let tenant = Int(path.tenant)
        let length = Int(descriptor.length)
        let frame = descriptor.frame
        // Rates off: this one branch is all they cost.
        if state.rates.limited, !state.rates.admitSent(tenant: tenant, bytes: length) {
            state.counters[tenant].count(.txRateLimited)
            complete(descriptor, path: path)
            return
        }
        // The daemon's own copy, in the device's next transmit slot.
        let destination = device.transmitSlot()
        guard length <= destination.count else {
            state.counters[tenant].count(.tapWriteFailed)
            complete(descriptor, path: path)
            return
        }
        do {
            let base = try state.control.backing.mapping(frame: frame)
            destination.baseAddress!.copyMemory(from: base, byteCount: length)
        } catch {
            Log.warning("cannot map frame \(frame): \(error)")
            state.counters[tenant].count(.tapWriteFailed)
            complete(descriptor, path: path)
            return
        }
        // The guard reads only the daemon's copy: the tenant may rewrite its frame meanwhile.
        let copy = UnsafeRawBufferPointer(rebasing: destination[..<length])
        switch EgressGuard.check(PacketBytes(unsafeBuffer: copy), from: path.tenant, plan: plan, linkMTU: Int(nic.mtu)) {
        case .allow:
            state.captures.record(copy, tenant: path.tenant, direction: .sent)
            if hairpin(UnsafeMutableRawBufferPointer(rebasing: destination[..<length]), from: path, nic: nic) { break }
            // Impairment off: this one branch is all it costs. Lost or held: not sent now.
            if traffic.isActive, impairment.interceptSent(copy, from: path) { break }
            // Counted when the batch is flushed.
            device.stage(length: length)
        case .deny(let reason):
            state.counters[tenant].count(reason)
        }
        complete(descriptor, path: path)
    }

    /// Sends the device's staged packets (one sendmmsg on the packet backend when all
    /// succeed) and counts them for the path's tenant and the NIC.
    @inline(__always)
    private func flush<Device: NetworkDevice>(_ device: Device, path: SessionRings, nic: NicPort) {
        let outcome = device.flush()
        let tenant = Int(path.tenant)
        state.counters[tenant].txPackets &+= UInt64(outcome.sent)
        state.counters[tenant].txBytes &+= UInt64(outcome.sentBytes)
        nic.counters.sent(packets: outcome.sent, bytes: outcome.sentBytes)
        for _ in 0..<outcome.failed { state.counters[tenant].count(.tapWriteFailed) }
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
                state.control.handBack(session: path.session, frame: frame)
            }
        } catch {
            state.breakPath(path, error)
        }
    }
}
