// The impairment's place on the packet path: received frames judged before delivery to their
// tenant, sent frames after the egress guard and before the NIC; held copies released by a
// timerfd (and after each batch); `exoctl impair` requests.

import ExoCore
import ExoImpairment
import ExoPlatform
import ExoWire

/// Fault injection between the NIC and the tenants, on the packet path and by request.
/// Owned by the data plane, on the loop thread; off (one branch per packet) unless
/// configured or set by `exoctl impair`.
final class ImpairmentStage {
    let state: DataPlaneState
    let delivery: RxDelivery
    /// The impairment's per-direction models and held copies.
    let traffic: TrafficImpairment
    let timer: DeadlineTimer

    init(state: DataPlaneState, delivery: RxDelivery) throws(DaemonStartError) {
        self.state = state
        self.delivery = delivery
        let config = state.config
        traffic = TrafficImpairment(
            tenantCount: state.control.roster.capacity, heldPackets: config.impairment.heldPackets,
            slotSize: Int(config.frameSize))
        do { timer = try DeadlineTimer() } catch {
            throw DaemonStartError(message: "cannot create the impairment timer: \(error)")
        }
        applyConfigured()
    }

    /// Judges a received frame for `session` when impairment is on. True: the frame was lost
    /// or held (do not deliver it now).
    @inline(never)
    func interceptReceived(_ frame: UnsafeRawBufferPointer, session: SessionID) -> Bool {
        guard let path = state.paths[session] else { return false }
        return traffic.intercept(
            frame, way: .toTenants, tenant: path.tenant, session: session, now: state.clock.nanoseconds)
    }

    /// Judges a frame a tenant sends (its guard-checked copy) when impairment is on. True:
    /// lost or held (do not send it now); a held copy counts as sent when it leaves.
    @inline(never)
    func interceptSent(_ frame: UnsafeRawBufferPointer, from path: SessionRings) -> Bool {
        traffic.intercept(
            frame, way: .fromTenants, tenant: path.tenant, session: path.session, now: state.clock.nanoseconds)
    }

    /// Passes on every held copy that is due, then arms the timer for the next one. Received
    /// copies go to their session's rx ring as if just received; sent copies go to the NIC,
    /// counted for their tenant.
    func releaseDue() {
        let now = state.clock.nanoseconds
        if let nic = state.nic {
            let released = traffic.held.release(now: now) { held, bytes in
                switch held.way {
                case .toTenants:
                    delivery.deliver(bytes, to: held.session, nic: nic)
                case .fromTenants:
                    if nic.sendOne(bytes) {
                        state.countSent(bytes.count, tenant: held.tenant)
                    } else {
                        state.counters[Int(held.tenant)].count(.tapWriteFailed)
                    }
                }
            }
            if released > 0 { delivery.publishReceived() }
        }
        timer.arm(for: traffic.held.nextRelease, now: now)
    }

    /// The release timer fired.
    func timerFired() {
        timer.fired()
        releaseDue()
    }

    /// Applies the configuration's impairments: at start, and after a reload that changed
    /// `[impairment]` (then every profile in force, `exoctl impair`'s included, is replaced:
    /// tenants the section does not name fall back to the link's).
    func applyConfigured() {
        let c = state.config.impairment
        for (id, _) in state.control.roster.tenants { clear(tenant: id) }
        traffic.set(ImpairmentProfile(c.toTenants), way: .toTenants, tenant: nil, seed: c.seed)
        traffic.set(ImpairmentProfile(c.fromTenants), way: .fromTenants, tenant: nil, seed: c.seed)
        for own in c.tenants {
            // The validator refused unknown names; a configuration built in code may still hold one.
            guard let id = state.tenant(named: own.name) else { continue }
            traffic.set(ImpairmentProfile(own.toTenants), way: .toTenants, tenant: id, seed: c.seed)
            traffic.set(ImpairmentProfile(own.fromTenants), way: .fromTenants, tenant: id, seed: c.seed)
        }
    }

    /// Turns off a tenant's own impairments (both directions); it falls back to the link's.
    func clear(tenant: TenantID) {
        for way in ImpairmentWay.allCases { traffic.set(ImpairmentProfile(), way: way, tenant: tenant, seed: 0) }
    }

    /// A removed tenant's id is free for a later tenant: its profiles and counters start over.
    func forget(tenant: TenantID) {
        clear(tenant: tenant)
        traffic.resetTallies(of: tenant)
    }

    /// `impair`: sets the link's or one tenant's faults for one direction or both.
    func impair(tenant name: String?, direction: ImpairDirection, profile: WireImpairmentProfile, seed: UInt64)
        -> Response
    {
        var tenant: TenantID?
        if let name {
            guard let index = state.tenant(named: name) else {
                return Response(reply: .error(.unknownTenant, detail: ExoError.unknownTenant.description))
            }
            tenant = index
        }
        let ways: [ImpairmentWay] =
            switch direction {
            case .toTenants: [.toTenants]
            case .fromTenants: [.fromTenants]
            case .both: [.toTenants, .fromTenants]
            }
        for way in ways { traffic.set(ImpairmentProfile(profile), way: way, tenant: tenant, seed: seed) }
        let target = name.map { "tenant \($0)" } ?? "the link"
        Log.info("impairment of \(target), \(direction): \(Self.summary(profile)), seed \(seed)")
        return Response(reply: .impaired)
    }

    /// The profile's nonzero fields for the log ("loss 100000ppm delay 20000000ns"), or "off".
    static func summary(_ p: WireImpairmentProfile) -> String {
        if p.isOff { return "off" }
        var parts = p.probabilities.filter { $0.ppm > 0 }.map { "\($0.name) \($0.ppm)ppm" }
        let times: [(String, UInt64)] = [
            ("reorderGap", p.reorderGapNanoseconds), ("delay", p.delayNanoseconds), ("jitter", p.jitterNanoseconds),
            ("queueLimit", p.queueLimitNanoseconds),
        ]
        parts += times.filter { $0.1 > 0 }.map { "\($0.0) \($0.1)ns" }
        if p.rateBitsPerSecond > 0 { parts.append("rate \(p.rateBitsPerSecond)bit/s") }
        return parts.joined(separator: " ")
    }
}
