// What the data path checks in every descriptor a tenant posts, and what it does with a
// tenant that breaks the rules: faults counted and reported, a path with unbelievable ring
// indices no longer served. And the drop counts every part of the packet path shares.

import ExoCore
import ExoWire

extension DataPlaneState {
    /// Checks a descriptor the tenant posted and, if it passes, puts its frame in flight.
    /// The frame must be in the pool, the length fit it (and, on tx, hold an Ethernet
    /// header), the session hold it writable, and the frame be on no ring already — also
    /// not earlier in the same batch — so that every frame comes back exactly once.
    func admit(_ descriptor: RingDescriptor, from path: SessionRings, needsLength: Bool) -> DataPathFaultReason? {
        switch bounds.check(descriptor) {
        case .frameOutOfRange: return .frameOutOfRange
        case .lengthTooLarge: return .badLength
        case .unknownFlags: return .unknownFlags
        case nil: break
        }
        if needsLength && descriptor.length < 14 { return .badLength }
        // This path's own fill frames are in flight (and held writable) by its invariant: no lookup.
        if path.isOnRing(descriptor.frame) { return .alreadyInFlight }
        switch control.arbiter.inFlight.admit(session: path.session, frame: descriptor.frame) {
        case .admitted: return nil
        case .notHeldWritable: return .notHeldWritable
        case .alreadyInFlight: return .alreadyInFlight
        }
    }

    /// Counts the fault and leaves it to the path's limiter: the daemon reports it (or folds
    /// it into a report) after the wake-up, as rate and queue allow. No allocation per fault.
    func report(_ fault: DataPathFaultReason, frame: FrameNumber, path: SessionRings) {
        counters[Int(path.tenant)].count(fault)
        path.faults.record(reason: fault.rawValue, frame: frame)
        if !path.listedForFaults {
            path.listedForFaults = true
            pathsWithWaitingFaults.append(path)
        }
    }

    /// A ring index no well-behaved tenant writes: the path stops being served (its session
    /// lives on; its frames come back when it ends).
    func breakPath(_ path: SessionRings, _ violation: RingViolation) {
        guard !path.broken else { return }
        path.broken = true
        Log.warning("session \(path.session): ring violation \(violation); data path no longer served")
        report(.ringIndex, frame: 0, path: path)
    }

    /// A frame the filters of `session`'s binding turned away: a NIC drop like any other,
    /// and also counted for the binding's tenant so the operator can see whose filters.
    func countFilteredOut(_ session: SessionID, nic: NicPort) {
        nic.counters.count(.filteredOut(session))
        if let path = paths[session] { counters[Int(path.tenant)].count(.filteredOut) }
    }

    /// Counts a received frame that reached no tenant.
    @inline(__always)
    func countDrop(_ reason: DropReason, nic: NicPort) {
        if case .filteredOut(let session) = reason {
            countFilteredOut(session, nic: nic)
        } else {
            nic.counters.count(reason)
        }
    }

    /// A packet that stayed on this host, or left later than its batch (a held impaired
    /// copy), still counts as sent by its tenant.
    func countSent(_ length: Int, tenant: TenantID) {
        counters[Int(tenant)].txPackets &+= 1
        counters[Int(tenant)].txBytes &+= UInt64(length)
    }
}
