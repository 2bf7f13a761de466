// Each tenant's data-path rate limits (`[limits]` tx_/rx_packets_per_second and
// tx_/rx_bytes_per_second): the buckets the transmit path and delivery consult per packet when
// any rate is limited. A tenant at its maximum then cannot take the link from the others.

import ExoCore
import ExoPlatform
import ExoWire

/// The rate buckets of every tenant, each direction, on the data plane's clock, and the tx
/// rings held back until their tenant may send again. Owned by the data plane state, on the
/// loop thread. With no rate configured, `limited` is false and the packet path pays one load
/// and one branch.
final class DataPathRates {
    /// Whether any rate is limited.
    private(set) var limited: Bool
    private var sent: [TrafficRateLimit]
    private var received: [TrafficRateLimit]
    private let clock: DataPlaneClock
    /// Wakes the loop when the earliest held-back ring's tenant may send again.
    let timer: DeadlineTimer
    /// Tx rings left unserved because their tenant had no allowance (each once).
    private var heldBack: [SessionRings] = []

    /// Buckets for `tenants` tenant ids under `limits`, full now.
    init(limits: TenantLimits, tenants: Int, clock: DataPlaneClock) throws(SystemError) {
        self.clock = clock
        timer = try DeadlineTimer()
        limited = false
        sent = []
        received = []
        install(limits, tenants: tenants)
    }

    /// Puts `limits` in force (at start, or after a reload): every bucket starts full.
    func install(_ limits: TenantLimits, tenants: Int) {
        let now = clock.nanoseconds
        limited = limits.limitsRates
        sent = Array(
            repeating: TrafficRateLimit(
                packetsPerSecond: UInt64(limits.txPacketsPerSecond), bytesPerSecond: UInt64(limits.txBytesPerSecond),
                now: now),
            count: tenants)
        received = Array(
            repeating: TrafficRateLimit(
                packetsPerSecond: UInt64(limits.rxPacketsPerSecond), bytesPerSecond: UInt64(limits.rxBytesPerSecond),
                now: now),
            count: tenants)
    }

    /// How many packets `tenant` may send now (`Int.max`: no limit).
    @inline(__always)
    func sendAllowance(tenant: Int) -> Int {
        guard tenant < sent.count else { return Int.max }
        return sent[tenant].packetsAllowed(now: clock.nanoseconds)
    }

    /// Leaves `path`'s tx ring unserved until its tenant may send again, when the timer
    /// brings it back (`takeHeldBack`); its descriptors wait on the ring meanwhile.
    func holdBack(_ path: SessionRings) {
        let tenant = Int(path.tenant)
        guard tenant < sent.count else { return }
        if !heldBack.contains(where: { $0 === path }) { heldBack.append(path) }
        let now = clock.nanoseconds
        timer.arm(for: now + max(sent[tenant].nanosecondsUntilAllowed, 1), now: now)
    }

    /// Whether `path`'s ring waits for the rate timer (the poller leaves it alone meanwhile).
    func isHeldBack(_ path: SessionRings) -> Bool {
        limited && heldBack.contains { $0 === path }
    }

    /// The rings held back, to be served again (the timer fired).
    func takeHeldBack() -> [SessionRings] {
        timer.fired()
        defer { heldBack.removeAll(keepingCapacity: true) }
        return heldBack
    }

    /// Whether `tenant` may send a packet of `bytes` now (taking it from its buckets).
    @inline(__always)
    func admitSent(tenant: Int, bytes: Int) -> Bool {
        guard tenant < sent.count else { return true }
        return sent[tenant].admit(bytes: bytes, now: clock.nanoseconds)
    }

    /// Whether `tenant` may receive a packet of `bytes` now (taking it from its buckets).
    @inline(__always)
    func admitReceived(tenant: Int, bytes: Int) -> Bool {
        guard tenant < received.count else { return true }
        return received[tenant].admit(bytes: bytes, now: clock.nanoseconds)
    }
}
