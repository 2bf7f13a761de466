// Per-tenant data-path counters: packets and bytes each way, and drops in one flat array
// indexed by reason (egress guard, ring faults, daemon-side limits), each with a stable name.

import ExoCore
import ExoWire

/// Why the daemon dropped a tenant's packet or descriptor outside the guard's and the
/// demultiplexer's own reasons.
enum PathDrop: Int, CaseIterable {
    /// A received packet for the tenant found no fill frame.
    case noFillFrame
    /// The tenant's rx ring was full.
    case rxRingFull
    /// The TAP refused the write (link down, kernel queue full).
    case tapWriteFailed
    /// A received frame longer than a frame.
    case tooLongForFrame
    /// A received frame the tenant's binding took but none of its filters matched.
    case filteredOut
    /// Past the tenant's `limits.tx_packets_per_second` or `tx_bytes_per_second`.
    case txRateLimited
    /// Past the tenant's `limits.rx_packets_per_second` or `rx_bytes_per_second`.
    case rxRateLimited

    var name: String {
        switch self {
        case .noFillFrame: "rx.noFillFrame"
        case .rxRingFull: "rx.ringFull"
        case .tapWriteFailed: "tx.tapWriteFailed"
        case .tooLongForFrame: "rx.tooLongForFrame"
        case .filteredOut: "rx.filteredOut"
        case .txRateLimited: "tx.rateLimited"
        case .rxRateLimited: "rx.rateLimited"
        }
    }
}

/// One tenant's counters since the daemon started; fixed size, updated without allocation.
struct TenantCounters {
    var rxPackets: UInt64 = 0
    var rxBytes: UInt64 = 0
    var txPackets: UInt64 = 0
    var txBytes: UInt64 = 0
    /// Data-path faults folded into another report instead of reported one by one.
    var faultReportsCoalesced: UInt64 = 0
    /// Requests refused at a tenant limit, by `TenantResource` raw value.
    var refused = Array(repeating: UInt64(0), count: TenantResource.allCases.count)
    /// Slots: the egress guard's deny reasons (`DenyReason.counterIndex`), then ring faults
    /// (`DataPathFaultReason`), then `PathDrop`. Received frames that reach no tenant are
    /// nobody's drops: the NIC counts them (`NicPort`).
    var drops: [UInt64]

    static let denyBase = 0
    static let faultBase = denyBase + DenyReason.allCases.count
    static let pathBase = faultBase + DataPathFaultReason.allCases.count
    static let slots = pathBase + PathDrop.allCases.count

    init() { drops = Array(repeating: 0, count: Self.slots) }

    mutating func count(_ reason: DenyReason) { drops[Self.denyBase + reason.counterIndex] &+= 1 }
    mutating func count(_ fault: DataPathFaultReason) { drops[Self.faultBase + Int(fault.rawValue) - 1] &+= 1 }
    mutating func count(_ drop: PathDrop) { drops[Self.pathBase + drop.rawValue] &+= 1 }

    /// The stable name of every slot, in slot order: "tx." + the guard's reason, "ring." + the
    /// fault, or the `PathDrop` name.
    static let names: [String] =
        DenyReason.allCases.map { "tx.\($0.name)" } + DataPathFaultReason.allCases.map { "ring.\($0)" }
        + PathDrop.allCases.map(\.name)

    /// Nonzero drops, named, in slot order.
    var nonzeroDrops: [DropCount] {
        drops.indices.compactMap { drops[$0] == 0 ? nil : DropCount(reason: Self.names[$0], count: drops[$0]) }
    }
}
