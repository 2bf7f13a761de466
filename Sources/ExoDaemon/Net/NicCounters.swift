// The NIC-level counters: packets and bytes each way, link events, and every reason a
// received packet reached no tenant. Named operations, so the packet path says what it
// counts instead of which slot it bumps.

import ExoCore
import ExoPacket
import ExoWire

/// What the NIC saw since the daemon started. Fixed size; counting allocates nothing.
/// Owned by `NicPort`; only the data plane's loop thread changes it.
struct NicCounters {
    private(set) var rxPackets: UInt64 = 0
    private(set) var rxBytes: UInt64 = 0
    private(set) var txPackets: UInt64 = 0
    private(set) var txBytes: UInt64 = 0
    /// Peer-offloaded packets (GSO or partial checksum) taken in, and the packets made of them.
    private(set) var offloadedPackets: UInt64 = 0
    private(set) var offloadSegments: UInt64 = 0
    private(set) var linkDownEvents: UInt64 = 0
    private(set) var mtuChanges: UInt64 = 0
    /// Times a deleted link was reopened in place (`nic.on_link_loss = "reattach"`).
    private(set) var reattachments: UInt64 = 0
    /// Echo requests to shared addresses the daemon could not answer.
    private(set) var unansweredEcho: UInt64 = 0
    /// Received packets that reached no tenant, by `DropReason.counterIndex`.
    private var unrouted = Array(repeating: UInt64(0), count: DropReason.allCases.count)
    /// Received packets refused before routing, by `NicDrop`.
    private var refused = Array(repeating: UInt64(0), count: NicDrop.allCases.count)
    /// Peer-offloaded packets the software offload path refused, by `OffloadFault`.
    private var offloadRefused = Array(repeating: UInt64(0), count: OffloadFault.allCases.count)

    @inline(__always)
    mutating func received(bytes: Int) {
        rxPackets &+= 1
        rxBytes &+= UInt64(bytes)
    }

    @inline(__always)
    mutating func sent(packets: Int = 1, bytes: Int) {
        txPackets &+= UInt64(packets)
        txBytes &+= UInt64(bytes)
    }

    @inline(__always)
    mutating func count(_ drop: NicDrop, times: UInt64 = 1) { refused[drop.rawValue] &+= times }

    @inline(__always)
    mutating func count(_ reason: DropReason) { unrouted[reason.counterIndex] &+= 1 }

    mutating func count(_ fault: OffloadFault) { offloadRefused[Int(fault.rawValue)] &+= 1 }

    /// A peer-offloaded packet whose header parsed, taken in to be finished in software.
    mutating func countOffloaded() { offloadedPackets &+= 1 }
    /// The packets one offloaded packet became.
    mutating func countSegments(_ segments: Int) { offloadSegments &+= UInt64(segments) }

    mutating func countUnansweredEcho() { unansweredEcho &+= 1 }
    mutating func countLinkDown() { linkDownEvents &+= 1 }
    mutating func countMTUChange() { mtuChanges &+= 1 }
    mutating func countReattachment() { reattachments &+= 1 }

    /// Sets a reassembly drop counter to the reassembler's own count (it keeps the truth).
    mutating func mirror(_ drop: ReassemblyDrop, count: UInt64) {
        unrouted[DropReason.reassembly(drop).counterIndex] = count
    }

    func count(of reason: DropReason) -> UInt64 { unrouted[reason.counterIndex] }
    func count(of drop: NicDrop) -> UInt64 { refused[drop.rawValue] }
    func count(of fault: OffloadFault) -> UInt64 { offloadRefused[Int(fault.rawValue)] }

    /// The name of every drop reason `exoctl nic` may list, in report order: packets that
    /// reached no tenant (the demultiplexer's reasons), packets refused before it, peer
    /// offloads the daemon could not finish, echo requests it could not answer.
    static let dropReasonNames: [String] =
        DropReason.allCases.map(\.name) + NicDrop.allCases.map(\.name)
        + OffloadFault.allCases.map { "rx.offload.\($0.name)" } + ["rx.unansweredEcho"]

    /// The nonzero drops, named, in report order.
    var nonzeroDrops: [DropCount] {
        let counts = DropReason.allCases.map { unrouted[$0.counterIndex] } + refused
            + OffloadFault.allCases.map { offloadRefused[Int($0.rawValue)] } + [unansweredEcho]
        var drops = zip(Self.dropReasonNames, counts).map { DropCount(reason: $0, count: $1) }
        drops.removeAll { $0.count == 0 }
        return drops
    }
}
