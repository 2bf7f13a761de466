// Fault injection between the NIC and the tenants (this kernel has no tc netem): every frame
// crossing in an impaired direction is judged by a seeded ImpairmentModel — lost, passed on
// at once, or copied and held for release later (delay, jitter, rate, reordering,
// duplication, corruption). Off by default; when off the packet path pays one branch.

import ExoImpairment
import ExoWire

/// The impairments in force, their random streams, the held copies and the counters. Owned
/// by the data plane on the loop thread. The link's profile applies to every tenant; a
/// tenant's own profile replaces the link's for that tenant's traffic in that direction.
final class TrafficImpairment {
    /// True when any profile is set: the packet path's one test (`isActive` false, nothing
    /// else of this type is touched per packet).
    private(set) var isActive = false
    /// Models by slot: `[link toTenants, link fromTenants, tenant 0 toTenants, ...]`.
    private var models: [ImpairmentModel?]
    let held: HeldPackets
    private(set) var tallies: ImpairmentTallies

    init(tenantCount: Int, heldPackets: Int, slotSize: Int) {
        models = Array(repeating: nil, count: (tenantCount + 1) * ImpairmentWay.allCases.count)
        held = HeldPackets(capacity: heldPackets, slotSize: slotSize)
        tallies = ImpairmentTallies(tenantCount: tenantCount)
    }

    private func slot(_ tenant: TenantID?, _ way: ImpairmentWay) -> Int {
        (tenant.map { Int($0) + 1 } ?? 0) * ImpairmentWay.allCases.count + way.rawValue
    }

    /// Sets the link's (`tenant` nil) or one tenant's impairment of one direction; a profile
    /// that does nothing turns it off. Each direction and tenant draws its own stream from
    /// `seed`, so the same seed and traffic give the same fates. Packets already held are
    /// released on their time.
    func set(_ profile: ImpairmentProfile, way: ImpairmentWay, tenant: TenantID?, seed: UInt64) {
        let index = slot(tenant, way)
        precondition(index < models.count, "unknown tenant")
        // Distinct, fixed streams per slot: SplitMix in SeededRandom spreads the salted seed.
        let salted = seed ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
        models[index] = profile.isPerfect ? nil : ImpairmentModel(profile: profile, seed: salted)
        isActive = models.contains { $0 != nil }
    }

    /// Zeroes `tenant`'s impairment counters (its id is being given to another tenant).
    func resetTallies(of tenant: TenantID) { tallies.reset(tenant: tenant) }

    /// Judges one frame of `tenant`'s traffic, offered at `now` (monotonic ns). Returns true
    /// when the caller must not pass `packet` on now: it was lost (counted) or copied into
    /// the held store for later. False: pass it on now, unchanged (a duplicate may still
    /// have been held for later). `packet` is borrowed for the call.
    func intercept(_ packet: UnsafeRawBufferPointer, way: ImpairmentWay, tenant: TenantID, session: SessionID,
        now: UInt64) -> Bool
    {
        let own = slot(tenant, way)
        let index = models[own] != nil ? own : slot(nil, way)
        guard models[index] != nil else { return false }
        let reorderedBefore = models[index]!.counters.reordered
        let verdict = models[index]!.judge(now: now, length: packet.count)
        switch verdict {
        case .lost(let why):
            let event: ImpairmentEvent =
                switch why {
                case .random: .lostRandom
                case .burst: .lostBurst
                case .rateQueueFull: .lostRateQueue
                }
            tallies.count(event, way, tenant: tenant)
            return true
        case .deliver(let at, let duplicateAt, let corruption):
            if models[index]!.counters.reordered != reorderedBefore { tallies.count(.reordered, way, tenant: tenant) }
            let passNow = at <= now && corruption == nil
            if !passNow {
                if held.hold(packet, at: at, corruption: corruption, way: way, tenant: tenant, session: session) {
                    if at > now { tallies.count(.delayed, way, tenant: tenant) }
                    if corruption != nil { tallies.count(.corrupted, way, tenant: tenant) }
                } else {
                    tallies.count(.heldFull, way, tenant: tenant)
                }
            }
            if let duplicateAt {
                if held.hold(packet, at: duplicateAt, corruption: nil, way: way, tenant: tenant, session: session) {
                    tallies.count(.duplicated, way, tenant: tenant)
                } else {
                    tallies.count(.heldFull, way, tenant: tenant)
                }
            }
            return !passNow
        }
    }
}

extension ImpairmentProfile {
    /// The model's profile for a wire (or configuration) profile: parts per million to
    /// probabilities; a zero reorder gap or queue limit keeps the model's default.
    init(_ wire: WireImpairmentProfile) {
        self.init()
        let million = Double(WireImpairmentProfile.million)
        loss = Double(wire.lossPPM) / million
        if wire.burstEnterPPM > 0 {
            burstLoss = BurstLoss(
                goodToBad: Double(wire.burstEnterPPM) / million, badToGood: Double(wire.burstLeavePPM) / million,
                lossInGood: Double(wire.burstLossGoodPPM) / million, lossInBad: Double(wire.burstLossBadPPM) / million)
        }
        duplicate = Double(wire.duplicatePPM) / million
        reorder = Double(wire.reorderPPM) / million
        if wire.reorderGapNanoseconds > 0 { reorderGap = wire.reorderGapNanoseconds }
        delay = wire.delayNanoseconds
        jitter = wire.jitterNanoseconds
        corrupt = Double(wire.corruptPPM) / million
        rateBitsPerSecond = wire.rateBitsPerSecond
        if wire.queueLimitNanoseconds > 0 { queueLimit = wire.queueLimitNanoseconds }
    }
}
