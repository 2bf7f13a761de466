// A tenant's packet and byte rate on one direction of the data path (`[limits]`
// tx_/rx_packets_per_second, tx_/rx_bytes_per_second): two token buckets refilled from the
// data plane's clock. What a tenant sends or receives beyond them is dropped and counted, so a
// tenant at its maximum cannot take the link (or the daemon's loop) from the others.

/// Two token buckets, packets and bytes, in fixed point (a packet or a byte costs
/// `TrafficRateLimit.scale` units; a nanosecond earns `rate` units), so refilling is one
/// multiplication and nothing is rounded away between two packets. A rate of 0 is no limit.
/// Each bucket holds at most `burstInterval` of its rate, and never less than one packet of
/// `maximumPacketBytes`, so any single packet the data path carries can pass.
public struct TrafficRateLimit: Sendable, Equatable {
    /// Units a packet or a byte costs: a rate (per second) earns `rate` units a nanosecond.
    public static let scale: UInt64 = 1_000_000_000
    /// How much of its rate a bucket holds: a burst of 10 ms at full rate.
    public static let burstInterval: UInt64 = 10_000_000
    /// The largest packet a byte bucket must always be able to pass (a 64 KiB frame).
    public static let maximumPacketBytes: UInt64 = 65_536

    public let packetsPerSecond: UInt64
    public let bytesPerSecond: UInt64
    private let packetCapacity: UInt64
    private let byteCapacity: UInt64
    private var packetCredit: UInt64
    private var byteCredit: UInt64
    private var refilledAt: UInt64

    /// Buckets for these rates (0: that one is unlimited), full at `now`.
    public init(packetsPerSecond: UInt64, bytesPerSecond: UInt64, now: UInt64) {
        self.packetsPerSecond = packetsPerSecond
        self.bytesPerSecond = bytesPerSecond
        packetCapacity = max(packetsPerSecond * Self.burstInterval, Self.scale)
        byteCapacity = max(bytesPerSecond * Self.burstInterval, Self.maximumPacketBytes * Self.scale)
        packetCredit = packetCapacity
        byteCredit = byteCapacity
        refilledAt = now
    }

    /// Neither rate is limited: the data path skips the check (one branch per packet).
    public var isUnlimited: Bool { packetsPerSecond == 0 && bytesPerSecond == 0 }

    /// The largest rate a configuration may set (100 Gbit/s in bytes, or packets): keeps the
    /// fixed-point products within 64 bits.
    public static let maximumRate: UInt64 = 12_500_000_000

    /// Takes one packet of `bytes` out of the buckets at `now` (ns, monotonic), or refuses it
    /// and takes nothing. A clock that goes backwards earns nothing.
    public mutating func admit(bytes: Int, now: UInt64) -> Bool {
        refill(now: now)
        let packetCost = packetsPerSecond == 0 ? 0 : Self.scale
        let byteCost = bytesPerSecond == 0 ? 0 : UInt64(bytes) * Self.scale
        guard packetCredit >= packetCost, byteCredit >= byteCost else { return false }
        packetCredit -= packetCost
        byteCredit -= byteCost
        return true
    }

    /// The smallest packet the byte bucket must hold for `packetsAllowed` to be nonzero.
    public static let minimumPacketBytes: UInt64 = 60

    /// How many packets may be taken now (`Int.max` when neither rate is limited): the packet
    /// bucket's whole packets, or none while the byte bucket cannot pass a minimum-size
    /// packet. The transmit path takes no more descriptors than this off a tenant's ring, so a
    /// tenant past its rate waits on its own full ring instead of costing the daemon a drop
    /// per descriptor; `admit` still settles each packet's bytes.
    public mutating func packetsAllowed(now: UInt64) -> Int {
        refill(now: now)
        if bytesPerSecond > 0, byteCredit < Self.minimumPacketBytes * Self.scale { return 0 }
        return packetsPerSecond == 0 ? Int.max : Int(packetCredit / Self.scale)
    }

    /// Nanoseconds from the last refill until `packetsAllowed` is at least 1 (0 if it is).
    public var nanosecondsUntilAllowed: UInt64 {
        var wait: UInt64 = 0
        if packetsPerSecond > 0, packetCredit < Self.scale {
            wait = (Self.scale - packetCredit + packetsPerSecond - 1) / packetsPerSecond
        }
        let bytesNeeded = Self.minimumPacketBytes * Self.scale
        if bytesPerSecond > 0, byteCredit < bytesNeeded {
            wait = max(wait, (bytesNeeded - byteCredit + bytesPerSecond - 1) / bytesPerSecond)
        }
        return wait
    }

    /// Earns what the time since the last refill is worth. Past a full burst interval every
    /// bucket is full anyway: capping the elapsed time keeps the products in range.
    private mutating func refill(now: UInt64) {
        guard now > refilledAt else { return }
        let elapsed = min(now - refilledAt, Self.burstInterval)
        packetCredit = min(packetCredit + elapsed * packetsPerSecond, packetCapacity)
        byteCredit = min(byteCredit + elapsed * bytesPerSecond, byteCapacity)
        refilledAt = now
    }
}
