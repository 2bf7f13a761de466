// The data plane's shared per-run state: what every part of the packet path reads or counts
// into (the NIC, the address plan, the binding table, the data paths by session, the
// per-tenant counters, the lists of paths with work pending). Held by reference by each part.

import ExoCore
import ExoPlatform
import ExoWire
import ExoPacket

/// The state the data plane's parts share (RxPath, TxPath, RxDelivery, the stages, the
/// requests). Owned by the daemon's loop thread; never shared across threads. The parts
/// hold it in a `let`: on the packet path it is one reference hop from a part to the state.
final class DataPlaneState {
    let nic: NicPort?
    /// The address plan in force; a reload replaces it between packets (DataPlane.install).
    var plan: AddressPlan
    /// The configuration in force (a reload replaces it).
    var config: DaemonConfig
    let control: ControlPlane
    let bounds: FrameBounds
    /// What the timers read (reassembly, impairment): monotonic, or virtual in tests.
    let clock: DataPlaneClock
    /// `nic.busy_poll`: the loop polls the rings for good (DataPathPoller.swift).
    let busyPoll: Bool
    var bindings = BindingTable()
    /// Data paths by arbiter session.
    var paths: [SessionID: SessionRings] = [:]
    var counters: [TenantCounters]
    /// The tenants' data-path rate limits (`[limits]`).
    let rates: DataPathRates
    /// Paths with received frames not yet published on rx (`RxDelivery.publishReceived`
    /// empties it).
    var pathsWithPendingRx: [SessionRings] = []
    /// Paths whose limiter holds faults not yet reported (`SessionRings.listedForFaults`);
    /// the daemon sends their reports after each wake-up, as rate and queue allow.
    var pathsWithWaitingFaults: [SessionRings] = []
    /// Running captures (exoctl capture); see CaptureTable.swift.
    var captures = CaptureTable()
    /// The loop is polling (after a wake-up with packets, or for good): tx rings ask tenants
    /// for no kick (DataPlane+Polling.swift).
    var polling = false
    /// Packets taken from the NIC and from tenants' tx rings since start: the data-path
    /// watchdog's sign of progress (DataPathWatchdog.swift). Wraps.
    var served: UInt64 = 0

    init(config: DaemonConfig, control: ControlPlane, nic: NicPort?, clock: DataPlaneClock) throws(DaemonStartError) {
        self.config = config
        self.control = control
        self.nic = nic
        self.clock = clock
        do {
            plan = try control.roster.addressPlan()
        } catch {
            throw DaemonStartError(message: "address plan refused: \(error)")
        }
        // One entry per tenant id of the run, so a tenant a reload adds has its counters and
        // rate buckets ready.
        counters = Array(repeating: TenantCounters(), count: control.roster.capacity)
        do {
            rates = try DataPathRates(limits: config.limits, tenants: control.roster.capacity, clock: clock)
        } catch {
            throw DaemonStartError(message: "cannot create the rate timer: \(error)")
        }
        bounds = FrameBounds(frameCount: config.frameCount, frameSize: config.frameSize)
        busyPoll = config.nic?.busyPoll ?? false
        pathsWithWaitingFaults.reserveCapacity(64)
        pathsWithPendingRx.reserveCapacity(64)
    }

    /// The id of the tenant named `name`, if configured.
    func tenant(named name: String) -> TenantID? {
        control.roster.id(named: name)
    }

    /// Counts a refusal at one of `tenant`'s limits.
    func countRefusal(_ resource: TenantResource, tenant: TenantID) {
        guard Int(tenant) < counters.count else { return }
        counters[Int(tenant)].refused[resource.rawValue] &+= 1
    }
}
