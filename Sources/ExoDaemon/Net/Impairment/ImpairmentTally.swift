// What the impairment did to one tenant's traffic in one direction, by reason: the counters
// `exoctl stats` lists as `rx.impair.*` (to the tenant) and `tx.impair.*` (from it).

import ExoWire

/// The direction an impairment applies to on the packet path.
enum ImpairmentWay: Int, Sendable, CaseIterable {
    /// NIC to tenant.
    case toTenants = 0
    /// Tenant to NIC.
    case fromTenants = 1

    /// The prefix of its counter names.
    var prefix: String { self == .toTenants ? "rx" : "tx" }
}

/// Why a packet was counted; `slot` orders them in a tally and in the names list.
enum ImpairmentEvent: Int, CaseIterable {
    /// Lost to independent random loss.
    case lostRandom
    /// Lost in a Gilbert–Elliott burst.
    case lostBurst
    /// Tail-dropped by the rate limit's queue.
    case lostRateQueue
    /// Dropped because every held-packet slot was taken (`impairment.held_packets`).
    case heldFull
    /// Held back to be delivered later (delay, jitter or rate limit).
    case delayed
    /// Held back so that later packets overtake it.
    case reordered
    /// Delivered twice.
    case duplicated
    /// Delivered with one bit flipped.
    case corrupted

    var name: String {
        switch self {
        case .lostRandom: "lostRandom"
        case .lostBurst: "lostBurst"
        case .lostRateQueue: "lostRateQueue"
        case .heldFull: "heldFull"
        case .delayed: "delayed"
        case .reordered: "reordered"
        case .duplicated: "duplicated"
        case .corrupted: "corrupted"
        }
    }
}

/// Counters of every tenant and direction in one flat array: no allocation when counting.
struct ImpairmentTallies {
    private var counts: [UInt64]
    let tenantCount: Int

    init(tenantCount: Int) {
        self.tenantCount = tenantCount
        counts = Array(repeating: 0, count: max(1, tenantCount) * Self.perTenant)
    }

    static let perTenant = ImpairmentWay.allCases.count * ImpairmentEvent.allCases.count

    @inline(__always)
    private static func index(_ tenant: TenantID, _ way: ImpairmentWay, _ event: ImpairmentEvent) -> Int {
        Int(tenant) * perTenant + way.rawValue * ImpairmentEvent.allCases.count + event.rawValue
    }

    mutating func count(_ event: ImpairmentEvent, _ way: ImpairmentWay, tenant: TenantID) {
        counts[Self.index(tenant, way, event)] &+= 1
    }

    mutating func reset(tenant: TenantID) {
        guard Int(tenant) < tenantCount else { return }
        let start = Int(tenant) * Self.perTenant
        for index in start..<(start + Self.perTenant) { counts[index] = 0 }
    }

    func count(of event: ImpairmentEvent, _ way: ImpairmentWay, tenant: TenantID) -> UInt64 {
        counts[Self.index(tenant, way, event)]
    }

    /// Every counter name, in report order: "rx.impair.lostRandom" ... "tx.impair.corrupted".
    static let names: [String] = ImpairmentWay.allCases.flatMap { way in
        ImpairmentEvent.allCases.map { "\(way.prefix).impair.\($0.name)" }
    }

    /// The tenant's nonzero counters, named, in report order.
    func nonzero(tenant: TenantID) -> [DropCount] {
        guard Int(tenant) < tenantCount else { return [] }
        var result: [DropCount] = []
        for way in ImpairmentWay.allCases {
            for event in ImpairmentEvent.allCases {
                let value = count(of: event, way, tenant: tenant)
                if value > 0 { result.append(DropCount(reason: "\(way.prefix).impair.\(event.name)", count: value)) }
            }
        }
        return result
    }
}
