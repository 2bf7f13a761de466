// The daemon's data plane built in-process over an in-memory device: a real arbiter and
// control plane, memfd-backed frames and rings (no root), a virtual clock for the timers.

import Crypto
import ExoCore
import ExoPacket
import ExoPlatform
import ExoWire
import Testing

@testable import ExoDaemon

/// One data plane, its device and its clock, with tenants "alice" (10.9.0.2) and "bob"
/// (10.9.0.3) on a 10.9.0.0/24 link whose host side is 10.9.0.1.
final class DataPlaneHarness {
    static let hostAddress = IPv4Address(10, 9, 0, 1)
    static let aliceAddress = IPv4Address(10, 9, 0, 2)
    static let bobAddress = IPv4Address(10, 9, 0, 3)
    /// The MAC of the peer on the wire (the host side of the link).
    static let peerMAC = MACAddress(0x02, 0x00, 0x00, 0x00, 0x00, 0x01)
    static let alice: TenantID = 0
    static let bob: TenantID = 1

    let config: DaemonConfig
    let control: ControlPlane
    let device: MemoryDevice
    let nic: NicPort
    let plane: DataPlane
    let clock = DataPlaneClock.virtual()
    private var nextConnection: UInt64 = 1

    init(impairment: ImpairmentConfig = ImpairmentConfig(), frameCount: UInt32 = 512) throws {
        let nicConfig = NicConfig(
            backend: NicConfig.tapBackend, name: "mem0", mtu: 1500, hostAddress: Self.hostAddress, prefixLength: 24,
            gatewayMAC: Self.peerMAC)
        var config = DaemonConfig(
            frameCount: frameCount, frameSize: 2048,
            tenants: [
                TenantConfig(name: "alice", uids: [60001], frameQuota: 128, addresses: [Self.aliceAddress]),
                TenantConfig(name: "bob", uids: [60002], frameQuota: 128, addresses: [Self.bobAddress]),
            ],
            nic: nicConfig)
        config.impairment = impairment
        self.config = config
        let specs = config.tenants.enumerated().map { index, tenant in
            TenantSpec(id: TenantID(index), name: tenant.name, frameQuota: tenant.frameQuota, limits: config.limits)
        }
        let arbiter = Arbiter(frameCount: frameCount, tenants: specs, tokenKey: SymmetricKey(size: .bits256), runID: 7)
        control = ControlPlane(config: config, arbiter: arbiter)
        device = MemoryDevice(slotSize: Int(config.frameSize))
        nic = NicPort(memory: device, config: nicConfig, frameSize: Int(config.frameSize))
        plane = try DataPlane(config: config, control: control, nic: nic, clock: clock)
    }

    /// The MAC the address plan gave `tenant`'s first address.
    func mac(of tenant: TenantID) -> MACAddress {
        plane.plan.grants.first { $0.tenant == tenant }!.addresses[0].mac
    }

    /// Opens a session of `tenant` with a data path, allocates `frames` frames to it and
    /// posts `fillFrames` of them on its fill ring; the rest are its to send from.
    func attach(_ tenant: TenantID, frames: UInt32 = 32, fillFrames: Int = 16) throws -> TenantRings {
        let session = control.arbiter.openSession(tenant: tenant)
        let connection = nextConnection
        nextConnection += 1
        let (response, _) = try plane.open(session: session, tenant: tenant, connectionID: connection, capacity: 64)
        guard case .dataPathOpened(let info) = response.reply else {
            throw HarnessFailure("openDataPath answered \(response.reply)")
        }
        let held = try control.arbiter.allocateAny(session: session, count: frames).map(\.frame)
        let rings = try TenantRings(
            session: session, tenant: tenant, info: info, memfd: response.descriptors[0], frames: held,
            backing: control.backing)
        try rings.postFill(count: fillFrames)
        return rings
    }

    /// Binds `port` of `tenant`'s address (UDP) to the session.
    func bindUDP(_ rings: TenantRings, port: UInt16) throws {
        let address = rings.tenant == Self.alice ? Self.aliceAddress : Self.bobAddress
        _ = try plane.bind(
            WireEndpoint(proto: TransportProtocol.udp.rawValue, address: address.rawValue, port: port),
            session: rings.session, tenant: rings.tenant)
    }

    /// A UDP packet from the wire's peer (10.9.0.1) to `tenant`'s address and `port`.
    func packetFromWire(to tenant: TenantID, port: UInt16, payload: [UInt8], sourcePort: UInt16 = 4000) -> [UInt8] {
        TestPackets.udp(
            from: Self.peerMAC, Self.hostAddress, sourcePort, to: mac(of: tenant),
            tenant == Self.alice ? Self.aliceAddress : Self.bobAddress, port, payload: payload)
    }

    /// Injects `packets` on the device and runs the data plane's receive (what a wake-up on
    /// the NIC's descriptor does).
    func receive(_ packets: [[UInt8]]) {
        for packet in packets { device.inject(packet) }
        while device.waitingCount > 0 { plane.receive() }
    }
}

struct HarnessFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
