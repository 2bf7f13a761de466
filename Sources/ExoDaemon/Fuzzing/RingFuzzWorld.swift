// The parts a ring fuzz run builds (fresh for every input, so a finding replays alone): a
// data plane over a memory NIC, tenant "alice" with an open data path, 8 frames and a UDP
// binding, and tenant "bob" holding 4 frames alice must not be able to use.

import Crypto
import ExoCore
import ExoPacket
import ExoPlatform
import ExoWire

final class RingFuzzWorld {
    let control: ControlPlane
    let device: MemoryDevice
    let plane: DataPlane
    let alice: SessionID
    let bob: SessionID
    let path: SessionRings
    /// The tenant's own mapping of the region (what its library OS would write through).
    private let region: MappedMemory
    private let layout: SessionRingsLayout
    private let held: [FrameNumber]

    init(capacity: UInt32) throws(RingFuzzFailure) {
        let frameSize: UInt32 = 2048
        let nicConfig = NicConfig(
            backend: NicConfig.tapBackend, name: "mem0", mtu: 1500, hostAddress: IPv4Address(10, 9, 0, 1),
            prefixLength: 24, gatewayMAC: MACAddress(0x02, 0, 0, 0, 0, 0x01))
        let config = DaemonConfig(
            frameCount: RingFuzzScenario.frameCount, frameSize: frameSize,
            tenants: [
                TenantConfig(name: "alice", uids: [60001], frameQuota: 16, addresses: [RingFuzzScenario.aliceAddress]),
                TenantConfig(name: "bob", uids: [60002], frameQuota: 8, addresses: [IPv4Address(10, 9, 0, 3)]),
            ],
            nic: nicConfig)
        let specs = config.tenants.enumerated().map { index, tenant in
            TenantSpec(config: tenant, id: TenantID(index), limits: config.limits)
        }
        let key = SymmetricKey(data: [UInt8](repeating: 0x5A, count: 32))
        control = ControlPlane(
            config: config, arbiter: Arbiter(frameCount: config.frameCount, tenants: specs, tokenKey: key, runID: 1))
        device = MemoryDevice(slotSize: Int(frameSize))
        let nic = NicPort(memory: device, config: nicConfig, frameSize: Int(frameSize))
        do {
            plane = try DataPlane(config: config, control: control, nic: nic, clock: .virtual())
        } catch {
            throw .setUp("data plane: \(error)")
        }
        let arbiter = control.arbiter
        alice = arbiter.openSession(tenant: 0)
        bob = arbiter.openSession(tenant: 1)
        do {
            let (response, opened) = try plane.requests.open(
                session: alice, tenant: 0, connectionID: 1, capacity: capacity)
            path = opened
            layout = opened.layout
            held = try arbiter.allocateAny(session: alice, count: 8).map(\.frame)
            _ = try arbiter.allocateAny(session: bob, count: 4)
            _ = try plane.requests.bind(
                WireEndpoint(
                    proto: TransportProtocol.udp.rawValue, address: RingFuzzScenario.aliceAddress.rawValue,
                    port: RingFuzzScenario.boundPort),
                session: alice, tenant: 0)
            region = try MappedMemory.map(response.descriptors[0].raw, length: layout.byteCount, writable: true)
        } catch {
            throw .setUp("tenant: \(error)")
        }
    }

    func perform(_ step: RingFuzzStep) {
        switch step {
        case .header(let ring, let word, let value):
            let offset = layout.offset(of: ring) + word.byteOffset
            let current = load(at: offset)
            switch value {
            case .absolute(let raw): store(raw, at: offset)
            case .advance(let delta): store(current &+ UInt32(bitPattern: Int32(delta)), at: offset)
            }
        case .descriptor(let ring, let slot, let descriptor):
            let base = layout.offset(of: ring) + layout.ring(ring).slotOffset(slot)
            store(descriptor.frame, at: base + RingField.Descriptor.frame.lowerBound)
            store(descriptor.length, at: base + RingField.Descriptor.length.lowerBound)
            store(descriptor.flags, at: base + RingField.Descriptor.flags.lowerBound)
        case .frameBytes(let frame, let bytes):
            guard held.contains(frame), let base = try? control.backing.mapping(frame: frame) else { return }
            bytes.prefix(Int(control.backing.frameSize)).withUnsafeBytes {
                base.copyMemory(from: $0.baseAddress!, byteCount: $0.count)
            }
        case .kick:
            plane.transmit(path)
        case .wire(let frame):
            device.inject(frame)
            while device.waitingCount > 0 { plane.receive() }
        }
    }

    // The tenant's plain (non-atomic) view of the region: what a hostile process can do.
    private func load(at offset: Int) -> UInt32 {
        region.withUnsafeMutableBytes { $0.load(fromByteOffset: offset, as: UInt32.self) }
    }

    private func store(_ value: UInt32, at offset: Int) {
        region.withUnsafeMutableBytes { $0.storeBytes(of: value, toByteOffset: offset, as: UInt32.self) }
    }
}
