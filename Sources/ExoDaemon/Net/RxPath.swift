// The receive path: packets from the NIC's device checked and routed (RxPath+Route.swift),
// delivered into the sessions' fill frames (RxDelivery) and published on their rx rings, a
// batch at a time.

import ExoCore
import ExoPlatform
import ExoWire
import ExoPacket

/// Device → checks → routing → delivery (or an answer, a reassembly, a counted drop).
/// Owned by the data plane, on the loop thread. Its parts are final classes held in `let`s:
/// the per-packet code makes no dynamic dispatch and no reference-count traffic of its own.
final class RxPath {
    let state: DataPlaneState
    let delivery: RxDelivery
    let reassembly: ReassemblyStage
    let impairment: ImpairmentStage
    /// The impairment's packet-path state, held here so that "impairment off" stays one load
    /// and one branch per packet (no hop through the stage).
    let traffic: TrafficImpairment
    /// The address plan in force, copied here so it is read without a hop per packet; a
    /// reload replaces it between packets (DataPlane.install).
    var plan: AddressPlan

    init(state: DataPlaneState, delivery: RxDelivery, reassembly: ReassemblyStage, impairment: ImpairmentStage) {
        self.state = state
        self.delivery = delivery
        self.reassembly = reassembly
        self.impairment = impairment
        traffic = impairment.traffic
        plan = state.plan
    }

    /// Takes one wake-up's worth of packets from the device and routes each, then publishes
    /// every path's received frames and releases impaired copies that are due.
    func receive() {
        guard let nic = state.nic else { return }
        // One switch per wake-up; the loop below is specialized for the backend.
        switch nic.device {
        case .tap(let device): receive(from: device, nic: nic)
        case .packet(let device): receive(from: device, nic: nic)
        case .memory(let device): receive(from: device, nic: nic)
        }
        delivery.publishReceived()
        if traffic.isActive { impairment.releaseDue() }
    }

    @inline(__always)
    private func receive<Device: NetworkDevice>(from device: Device, nic: NicPort) {
        let outcome = device.receive(max: Device.packetsPerWake, into: nic.rxBuffer) { packet in
            routeReceived(packet, nic: nic)
        }
        state.served &+= UInt64(outcome.handed) &+ outcome.malformed
        if outcome.malformed > 0 { nic.counters.count(.ringMalformed, times: outcome.malformed) }
    }
}
