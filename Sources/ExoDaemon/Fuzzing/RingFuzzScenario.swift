// A daemon data plane over an in-memory NIC with one tenant whose ring region a fuzz script
// writes at will, and the promises the daemon keeps however the tenant behaves. Fuzzing
// only (Sources/ExoFuzzing); the real arbiter, control plane, rings and data path.

import ExoCore
import ExoPacket

/// Why a ring fuzz run stopped: the host refused a resource, or the daemon broke a promise.
package enum RingFuzzFailure: Error {
    case setUp(String)
    case broken(String)
}

/// Runs a hostile tenant's script against the daemon's data path and checks, afterwards:
/// - every frame is in flight at most once, and only if the tenant holds it writable;
/// - every IPv4 packet the daemon put on the wire carries the tenant's own source address;
/// - once the session ends, no frame is left in flight, and once both sessions end every
///   frame of the pool is free again (no frame lost, whatever the tenant wrote).
package enum RingFuzzScenario {
    static let frameCount: UInt32 = 24
    static let aliceAddress = IPv4Address(10, 9, 0, 2)
    /// UDP port the tenant binds, so frames from the wire can reach its rings.
    package static let boundPort: UInt16 = 7

    /// Runs `steps` on a fresh data plane whose rings have `capacity` slots; returns how many
    /// packets the daemon sent for the tenant and published on its rx ring.
    @discardableResult
    package static func run(capacity: UInt32, steps: [RingFuzzStep]) throws(RingFuzzFailure) -> (
        sent: Int, delivered: Int
    ) {
        let world = try RingFuzzWorld(capacity: capacity)
        for step in steps { world.perform(step) }
        try checkInFlight(world)
        let sent = try checkSent(world)
        let delivered = Int(world.path.rx.producerIndex)
        try checkEnd(world)
        return (sent, delivered)
    }

    private static func checkInFlight(_ world: RingFuzzWorld) throws(RingFuzzFailure) {
        let arbiter = world.control.arbiter
        for state in arbiter.frameStates(tenant: nil, from: 0, limit: Int(frameCount)).entries where state.inFlight > 0
        {
            guard state.inFlight == 1 else { throw .broken("frame \(state.frame) in flight \(state.inFlight) times") }
            guard arbiter.rights(session: world.alice, frame: state.frame)?.contains(.write) == true else {
                throw .broken("frame \(state.frame) in flight without the tenant holding it writable")
            }
        }
    }

    private static func checkSent(_ world: RingFuzzWorld) throws(RingFuzzFailure) -> Int {
        let sent = world.device.takeSent()
        for packet in sent where packet.count >= 34 && packet[12] == 0x08 && packet[13] == 0x00 {
            let source = IPv4Address(packet[26], packet[27], packet[28], packet[29])
            guard source == aliceAddress else { throw .broken("the daemon sent an IPv4 packet from \(source)") }
        }
        return sent.count
    }

    private static func checkEnd(_ world: RingFuzzWorld) throws(RingFuzzFailure) {
        let control = world.control
        _ = world.plane.requests.close(session: world.alice)
        let left = control.arbiter.frameStates(tenant: nil, from: 0, limit: Int(frameCount)).entries
        if let stuck = left.first(where: { $0.inFlight > 0 }) {
            throw .broken("frame \(stuck.frame) still in flight after the data path closed")
        }
        _ = control.apply(control.arbiter.closeSession(world.alice))
        _ = control.apply(control.arbiter.closeSession(world.bob))
        guard control.arbiter.freeFrameCount == frameCount else {
            throw .broken("\(frameCount - control.arbiter.freeFrameCount) frames not free after both sessions ended")
        }
    }
}
