// The [impairment] section as plain values: faults the daemon injects from start-up between
// the NIC and the tenants (`exoctl impair` changes them at run time).

import ExoWire

/// Faults in force from start-up; all off by default.
public struct ImpairmentConfig: Sendable, Equatable {
    /// Seeds every impairment's random stream (`impairment.seed`): the same seed and traffic
    /// give the same fates.
    public var seed: UInt64 = 1
    /// Packet copies the daemon may hold for delay, reordering and duplication at once
    /// (`impairment.held_packets`); one frame of memory each, reserved at start.
    public var heldPackets: Int = 1024
    /// The link's faults on frames from the NIC to tenants (`[impairment.to_tenants]`).
    public var toTenants = WireImpairmentProfile()
    /// The link's faults on frames from tenants to the NIC (`[impairment.from_tenants]`).
    public var fromTenants = WireImpairmentProfile()
    /// Tenants with faults of their own (`[impairment.tenants.NAME.to_tenants]`, ...), which
    /// replace the link's for that tenant; in file order.
    public var tenants: [TenantImpairmentConfig] = []

    public init() {}

    /// Most held copies the validator accepts (64 Ki frames).
    public static let maximumHeldPackets = 65_536
}

/// One tenant's own faults; a direction left all zero falls back to the link's.
public struct TenantImpairmentConfig: Sendable, Equatable {
    /// A configured tenant's name.
    public var name: String
    public var toTenants = WireImpairmentProfile()
    public var fromTenants = WireImpairmentProfile()

    public init(name: String) { self.name = name }
}
