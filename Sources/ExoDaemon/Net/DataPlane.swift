// The data plane, assembled: the shared state and the parts that work on it, built once per
// run, and the few entry points the daemon's loop calls (a NIC wake-up, a tx kick, the timers,
// polling in DataPlane+Polling.swift). Each part's rules live in the part.

import ExoCore
import ExoPlatform
import ExoWire

/// The data plane's parts, wired. Owned by the daemon's loop thread; never shared.
///
/// | part | its one job |
/// |---|---|
/// | `DataPlaneState` | what the parts share: paths by session, bindings, counters, pending lists |
/// | `RxPath` | device → checks → routing → delivery |
/// | `TxPath` | tx ring → egress guard → hairpin, impairment or device → completions |
/// | `RxDelivery` | fill frames → rx ring, a batch at a time; the fill ring's refill |
/// | `ReassemblyStage` | fragments → whole datagrams, routed |
/// | `ImpairmentStage` | fault injection on both directions; `impair` requests |
/// | `DataPlaneRequests` | open, bind, unbind, filters, queries, a session's end |
/// | `CaptureControl` | `capture` requests and capture end events |
final class DataPlane {
    let state: DataPlaneState
    let delivery: RxDelivery
    let reassembly: ReassemblyStage
    let impairment: ImpairmentStage
    let rx: RxPath
    let tx: TxPath
    let requests: DataPlaneRequests
    let captureControl: CaptureControl
    /// Wakes the loop at the earliest revocation deadline (RevocationDesk arms it); on the
    /// data plane for its clock.
    let revocationTimer: DeadlineTimer

    init(config: DaemonConfig, control: ControlPlane, nic: NicPort?, clock: DataPlaneClock = .monotonic())
        throws(DaemonStartError)
    {
        state = try DataPlaneState(config: config, control: control, nic: nic, clock: clock)
        delivery = RxDelivery(state: state)
        let fragments: DaemonReassembly
        do {
            fragments = try DaemonReassembly(
                frameSize: Int(config.frameSize), perTenant: config.limits.reassemblyDatagrams,
                tenants: control.roster.capacity)
        } catch {
            throw DaemonStartError(message: "cannot create the reassembly timer: \(error)")
        }
        do { revocationTimer = try DeadlineTimer() } catch {
            throw DaemonStartError(message: "cannot create the revocation timer: \(error)")
        }
        reassembly = ReassemblyStage(state: state, delivery: delivery, fragments: fragments)
        impairment = try ImpairmentStage(state: state, delivery: delivery)
        rx = RxPath(state: state, delivery: delivery, reassembly: reassembly, impairment: impairment)
        tx = TxPath(state: state, delivery: delivery, reassembly: reassembly, impairment: impairment)
        requests = DataPlaneRequests(state: state, impairment: impairment)
        captureControl = CaptureControl(state: state)
    }

    // MARK: what the loop reads and calls

    var nic: NicPort? { state.nic }
    var busyPoll: Bool { state.busyPoll }
    /// Data paths by arbiter session.
    var paths: [SessionID: SessionRings] { state.paths }
    /// The reassembly's state (its timer is watched by the loop).
    var fragments: DaemonReassembly { reassembly.fragments }
    var impairmentTimer: DeadlineTimer { impairment.timer }

    /// A wake-up on the NIC's descriptor.
    func receive() { rx.receive() }

    /// A tenant's tx kick (or a polling loop's look at its tx ring).
    func transmit(_ path: SessionRings) { tx.transmit(path) }

    /// The reassembly timer fired.
    func expireFragments() { reassembly.expireFragments() }

    /// The impairment's release timer fired.
    func impairmentTimerFired() { impairment.timerFired() }

    /// The rate timer fired: the tx rings held back for their tenants' rates are served again.
    func rateTimerFired() {
        for path in state.rates.takeHeldBack() where !path.broken && paths[path.session] === path { tx.transmit(path) }
    }

    /// Puts a reloaded configuration and address plan in force, between two packets: every
    /// part that keeps its own copy of the plan gets the new one.
    func install(config: DaemonConfig, plan: AddressPlan) {
        state.config = config
        state.plan = plan
        rx.plan = plan
        tx.plan = plan
    }
}
