// The packet path: TAP frames demultiplexed into fill frames and posted on rx; tx
// descriptors bound-checked, copied out, checked by the egress guard, written, completed.

import ExoCore
import ExoPlatform
import ExoWire
import Glibc

extension DataPlane {
    /// Batches of tx descriptors handled per kick before yielding to other sessions.
    static let txBatchesPerWake = 8

    // MARK: receive

    /// Reads up to one batch of frames from the TAP and routes each.
    func receive() {
        guard let nic else { return }
        for _ in 0..<DataPath.batch {
            let length: Int
            do {
                var span = nic.rxBuffer.mutableBytes
                guard let read = try nic.tap.read(into: &span) else { return }
                length = read
            } catch {
                Log.warning("TAP read failed: \(error)")
                return
            }
            nic.rxPackets &+= 1
            nic.rxBytes &+= UInt64(length)
            let bytes = PacketBytes(unsafeBuffer: UnsafeRawBufferPointer(rebasing: nic.rxBuffer[..<length]))
            switch Demultiplexer.classify(bytes, plan: plan, bindings: bindings) {
            case .tenant(let session): deliver(length: length, to: session, nic: nic)
            case .daemonARP: _ = nic.answerARP(length: length, daemonMAC: plan.daemonMAC)
            case .daemonEcho: if !nic.answerEcho(length: length, daemonMAC: plan.daemonMAC) { nic.unansweredEcho &+= 1 }
            case .drop(.filteredOut(let session)): countFilteredOut(session, nic: nic)
            case .drop(let reason): nic.rxDrops[reason.counterIndex] &+= 1
            }
        }
    }

    private func deliver(length: Int, to session: SessionID, nic: NicPort) {
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
            base.copyMemory(from: nic.rxBuffer.baseAddress!, byteCount: length)
        } catch {
            Log.warning("cannot map frame \(frame): \(error)")
            path.stash.append(frame)
            counters[tenant].count(.noFillFrame)
            return
        }
        let posted: Bool
        do {
            posted = try path.post(RingDescriptor(frame: frame, length: UInt32(length)), onRx: true)
        } catch {
            path.stash.append(frame)
            breakPath(path, error)
            return
        }
        guard posted else {
            path.stash.append(frame)
            counters[tenant].count(.rxRingFull)
            return
        }
        path.onRing.remove(frame)
        _ = control.apply(control.arbiter.removeInFlight(session: path.session, frame: frame))
        counters[tenant].rxPackets &+= 1
        counters[tenant].rxBytes &+= UInt64(length)
    }

    /// A fill frame to receive into, taking more from the fill ring when the stash is empty.
    private func takeFillFrame(_ path: DataPath) -> FrameNumber? {
        if path.stash.isEmpty { refill(path) }
        return path.stash.popLast()
    }

    /// Moves the tenant's fill descriptors into the stash, each checked and put in flight.
    func refill(_ path: DataPath) {
        while !path.broken {
            // The stash never outgrows the capacity reserved for it (no allocation).
            let room = Int(path.layout.fill.capacity) - path.stash.count
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
    func transmit(_ path: DataPath) {
        _ = path.tenantToDaemon.drain()
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
                do {
                    if try path.tx.prepareToSleep() { return }
                } catch {
                    breakPath(path, error)
                    return
                }
                continue
            }
            for index in 0..<count { send(path.scratch[index], from: path, nic: nic) }
        }
        path.tenantToDaemon.signal()
    }

    private func send(_ descriptor: RingDescriptor, from path: DataPath, nic: NicPort) {
        if let fault = admit(descriptor, from: path, needsLength: true) {
            report(fault, frame: descriptor.frame, path: path)
            return
        }
        let tenant = Int(path.tenant)
        let length = Int(descriptor.length)
        let frame = descriptor.frame
        do {
            let base = try control.backing.mapping(frame: frame)
            nic.txBuffer.baseAddress!.copyMemory(from: base, byteCount: length)
        } catch {
            Log.warning("cannot map frame \(frame): \(error)")
            counters[tenant].count(.tapWriteFailed)
            complete(descriptor, path: path)
            return
        }
        // The guard reads only the daemon's copy: the tenant may rewrite its frame meanwhile.
        let copy = UnsafeRawBufferPointer(rebasing: nic.txBuffer[..<length])
        switch EgressGuard.check(PacketBytes(unsafeBuffer: copy), from: path.tenant, plan: plan) {
        case .allow:
            let written = (try? nic.tap.write(copy.bytes)) ?? false
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

    /// Hands a tx frame back on completion and drops its in-flight reference.
    private func complete(_ descriptor: RingDescriptor, path: DataPath) {
        do {
            _ = try path.post(descriptor, onRx: false)
        } catch {
            breakPath(path, error)
        }
        _ = control.apply(control.arbiter.removeInFlight(session: path.session, frame: descriptor.frame))
    }

    // MARK: checks

    /// Checks a descriptor the tenant posted and, if it passes, puts its frame in flight.
    /// The frame must be in the pool, the length fit it (and, on tx, hold an Ethernet
    /// header), and the session hold it writable and not have it on a ring already.
    private func admit(_ descriptor: RingDescriptor, from path: DataPath, needsLength: Bool) -> DataPathFaultReason? {
        switch bounds.check(descriptor) {
        case .frameOutOfRange: return .frameOutOfRange
        case .lengthTooLarge: return .badLength
        case .unknownFlags: return .unknownFlags
        case nil: break
        }
        if needsLength && descriptor.length < 14 { return .badLength }
        guard !path.onRing.contains(descriptor.frame),
            control.arbiter.rights(session: path.session, frame: descriptor.frame)?.contains(.write) == true
        else { return .notHeldWritable }
        do {
            try control.arbiter.addInFlight(session: path.session, frame: descriptor.frame)
        } catch {
            return .notHeldWritable
        }
        return nil
    }

    private func report(_ fault: DataPathFaultReason, frame: FrameNumber, path: DataPath) {
        counters[Int(path.tenant)].count(fault)
        pendingFaults.append((path.connectionID, .dataPathFault(reason: fault.rawValue, frame: frame)))
    }

    /// A ring index no well-behaved tenant writes: the path stops being served (its session
    /// lives on; its frames come back when it ends).
    private func breakPath(_ path: DataPath, _ violation: RingViolation) {
        guard !path.broken else { return }
        path.broken = true
        Log.warning("session \(path.session): ring violation \(violation); data path no longer served")
        report(.ringIndex, frame: 0, path: path)
    }
}
