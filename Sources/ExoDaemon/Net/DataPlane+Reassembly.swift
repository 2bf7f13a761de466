// Fragments to tenant addresses, reassembled by the daemon: the whole datagram is classified
// like any frame and delivered; a timerfd expires partial datagrams; drops are counted by reason.

import ExoCore
import ExoPlatform
import ExoWire
import ExoPacket

/// The daemon's reassembly state: the reassembler and the timer that expires its datagrams.
/// Owned by the data plane, on the loop thread.
final class DaemonReassembly {
    /// Partial datagrams held at once.
    static let maximumDatagrams = 64
    /// How long a datagram may take to arrive whole (Linux's `ipfrag_time` is 30 s; a shorter
    /// bound frees the memory an attacker's partial datagrams hold sooner).
    static let timeoutNanoseconds: UInt64 = 5_000_000_000

    let reassembler: Reassembler
    let timer: TimerFD
    /// Where a completed datagram is written: memory only the daemon writes, since the
    /// fragment itself may still sit in the packet ring.
    let output: UnsafeMutableRawBufferPointer
    /// The deadline the timer is armed for, if any.
    var armedDeadline: UInt64?

    /// `perTenant` datagrams may be held on one tenant's account (`limits.reassembly_datagrams`).
    init(
        frameSize: Int, perTenant: Int, tenants: Int, timeoutNanoseconds: UInt64 = DaemonReassembly.timeoutNanoseconds
    ) throws(SystemError) {
        reassembler = Reassembler(limits: ReassemblyLimits(
            maximumDatagrams: Self.maximumDatagrams, maximumBytes: Self.maximumDatagrams / 4 * frameSize,
            timeoutNanoseconds: timeoutNanoseconds, maximumFrame: frameSize, maximumDatagramsPerOwner: perTenant,
            owners: tenants))
        timer = try TimerFD()
        output = .allocate(byteCount: frameSize, alignment: 64)
    }

    deinit { output.deallocate() }

    /// Arms the timer for the earliest deadline when it is not already armed that early.
    func armTimer(now: UInt64) {
        guard let next = reassembler.nextDeadline else { return }
        if let armed = armedDeadline, armed <= next { return }
        armedDeadline = next
        timer.arm(initialNanoseconds: next > now ? next - now : 1, intervalNanoseconds: 0)
    }

    /// The timer fired: drains it, drops the datagrams past their deadline and re-arms for
    /// the next one. Returns how many live datagrams timed out.
    @discardableResult
    func timerFired(now: UInt64) -> Int {
        _ = timer.drain()
        armedDeadline = nil
        let expired = reassembler.expire(now: now)
        armTimer(now: now)
        return expired
    }
}

extension DataPlane {
    /// Adds `frame` (a fragment, borrowed for the call: the TAP buffer, a packet-ring frame
    /// or a hairpinned copy) to its datagram; when that completes it, routes the whole
    /// datagram from `fragments.output`. A datagram is charged to `sender` (a tenant's
    /// hairpinned fragments), else to the tenant that owns the destination address whole
    /// (fragments from the wire to a shared address are charged to nobody in particular).
    func reassembleAndRoute(_ frame: UnsafeRawBufferPointer, nic: NicPort, sender: TenantID? = nil) {
        let now = clock.nanoseconds
        let output = fragments.output
        let bytes = PacketBytes(unsafeBuffer: frame)
        let result = fragments.reassembler.add(
            bytes, now: now, owner: sender ?? destinationOwner(bytes), into: MutablePacketBytes(unsafeBuffer: output))
        countReassemblyDrops(nic)
        fragments.armTimer(now: now)
        guard case .complete(let whole) = result else { return }
        let datagram = UnsafeRawBufferPointer(rebasing: output[..<whole])
        switch Demultiplexer.classify(PacketBytes(unsafeBuffer: datagram), plan: plan, bindings: bindings) {
        case .tenant(let session): deliver(datagram, to: session, nic: nic)
        // The reply would be as large as the request, past the MTU, and the daemon does not
        // fragment: a fragmented echo to a shared address goes unanswered (and counted).
        case .daemonEcho: nic.counters.countUnansweredEcho()
        case .daemonARP, .reassemble: nic.counters.count(.reassembly(.notAFragment))
        case .drop(let reason): countDrop(reason, nic: nic)
        }
    }

    /// The tenant owning the destination address of an IPv4 frame whole, or `UInt32.max`.
    private func destinationOwner(_ frame: PacketBytes) -> UInt32 {
        let offset = EthernetPacket.headerLength + 16
        guard frame.count >= offset + 4,
            case .whole(let tenant)? = plan.owner(of: IPv4Address(frame, at: offset))
        else { return .max }
        return tenant
    }

    /// The reassembly timer fired: drops the datagrams past their deadline, re-arms.
    func expireFragments() {
        fragments.timerFired(now: clock.nanoseconds)
        if let nic { countReassemblyDrops(nic) }
    }

    /// Mirrors the reassembler's own counters into the NIC's drop counters (no allocation).
    private func countReassemblyDrops(_ nic: NicPort) {
        for reason in ReassemblyDrop.allCases {
            nic.counters.mirror(reason, count: fragments.reassembler.count(reason))
        }
    }
}
