// The impairment's place on the packet path: received frames judged before delivery to their
// tenant, sent frames after the egress guard and before the NIC; held copies released by a
// timerfd (and after each batch); `exoctl impair` requests.

import ExoCore
import ExoImpairment
import ExoPlatform
import ExoWire

/// The timerfd that wakes the loop when the earliest held copy is due.
final class ImpairmentReleaseTimer {
    let timer: TimerFD
    /// The time it is armed for, if any.
    private var armedFor: UInt64?

    init() throws(SystemError) { timer = try TimerFD() }

    /// Arms for `next` unless already armed no later; disarms-by-forgetting when nothing is held.
    func arm(for next: UInt64?, now: UInt64) {
        guard let next else { return }
        if let armedFor, armedFor <= next, armedFor > now { return }
        armedFor = next
        timer.arm(initialNanoseconds: next > now ? next - now : 1, intervalNanoseconds: 0)
    }

    /// The timer fired: clears it so the next `arm` takes effect.
    func fired() {
        _ = timer.drain()
        armedFor = nil
    }
}

extension DataPlane {
    /// Judges a received frame for `session` when impairment is on. True: the frame was lost
    /// or held (do not deliver it now).
    @inline(never)
    func interceptReceived(_ frame: UnsafeRawBufferPointer, session: SessionID) -> Bool {
        guard let path = paths[session] else { return false }
        return impairment.intercept(
            frame, way: .toTenants, tenant: path.tenant, session: session, now: clock.nanoseconds)
    }

    /// Judges a frame a tenant sends (its guard-checked copy) when impairment is on. True:
    /// lost or held (do not send it now); a held copy counts as sent when it leaves.
    @inline(never)
    func interceptSent(_ frame: UnsafeRawBufferPointer, from path: SessionRings) -> Bool {
        impairment.intercept(
            frame, way: .fromTenants, tenant: path.tenant, session: path.session, now: clock.nanoseconds)
    }

    /// Passes on every held copy that is due, then arms the timer for the next one. Received
    /// copies go to their session's rx ring as if just received; sent copies go to the NIC,
    /// counted for their tenant.
    func releaseImpaired() {
        let now = clock.nanoseconds
        if let nic {
            let released = impairment.held.release(now: now) { held, bytes in
                switch held.way {
                case .toTenants:
                    deliver(bytes, to: held.session, nic: nic)
                case .fromTenants:
                    let tenant = Int(held.tenant)
                    if nic.sendOne(bytes) {
                        counters[tenant].txPackets &+= 1
                        counters[tenant].txBytes &+= UInt64(bytes.count)
                    } else {
                        counters[tenant].count(.tapWriteFailed)
                    }
                }
            }
            if released > 0 { publishReceived() }
        }
        impairmentTimer.arm(for: impairment.held.nextRelease, now: now)
    }

    /// The release timer fired.
    func impairmentTimerFired() {
        impairmentTimer.fired()
        releaseImpaired()
    }

    /// Applies the configuration's link impairments (at start).
    func applyConfiguredImpairment() {
        let c = config.impairment
        impairment.set(ImpairmentProfile(c.toTenants), way: .toTenants, tenant: nil, seed: c.seed)
        impairment.set(ImpairmentProfile(c.fromTenants), way: .fromTenants, tenant: nil, seed: c.seed)
        for own in c.tenants {
            // The validator refused unknown names; a configuration built in code may still hold one.
            guard let index = config.tenants.firstIndex(where: { $0.name == own.name }) else { continue }
            impairment.set(ImpairmentProfile(own.toTenants), way: .toTenants, tenant: TenantID(index), seed: c.seed)
            impairment.set(ImpairmentProfile(own.fromTenants), way: .fromTenants, tenant: TenantID(index), seed: c.seed)
        }
    }

    /// `impair`: sets the link's or one tenant's faults for one direction or both.
    func impair(tenant name: String?, direction: ImpairDirection, profile: WireImpairmentProfile, seed: UInt64)
        -> Response
    {
        var tenant: TenantID?
        if let name {
            guard let index = config.tenants.firstIndex(where: { $0.name == name }) else {
                return Response(reply: .error(.unknownTenant, detail: ExoError.unknownTenant.description))
            }
            tenant = TenantID(index)
        }
        let ways: [ImpairmentWay] =
            switch direction {
            case .toTenants: [.toTenants]
            case .fromTenants: [.fromTenants]
            case .both: [.toTenants, .fromTenants]
            }
        for way in ways { impairment.set(ImpairmentProfile(profile), way: way, tenant: tenant, seed: seed) }
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
