// Each tenant's data-path rate limits (`[limits]` tx_/rx_packets_per_second and
// tx_/rx_bytes_per_second): the buckets the transmit path and delivery consult per packet when
// any rate is limited. A tenant at its maximum then cannot take the link from the others.

import ExoCore
import ExoWire

/// The rate buckets of every tenant, each direction, on the data plane's clock. Owned by the
/// data plane state, on the loop thread. With no rate configured, `limited` is false and the
/// packet path pays one load and one branch.
final class DataPathRates {
    /// Whether any rate is limited.
    private(set) var limited: Bool
    private var sent: [TrafficRateLimit]
    private var received: [TrafficRateLimit]
    private let clock: DataPlaneClock

    /// Buckets for `tenants` tenant ids under `limits`, full now.
    init(limits: TenantLimits, tenants: Int, clock: DataPlaneClock) {
        self.clock = clock
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
