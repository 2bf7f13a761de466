// A stack configured from the daemon's `DataPathInfo` has the daemon's view of the tenant:
// owned and shared addresses with their MACs, the gateway as a permanent neighbor, grants.

import ExoPacket
import ExoWire
import Testing

@testable import ExOS

@Suite struct StackConfigurationTests {
    static let info = DataPathInfo(
        layoutVersion: 1, ringCapacity: 256, regionSize: 65536, mtu: 1400, frameSize: 2048,
        gateway: IPv4Address(10, 0, 0, 254).rawValue, gatewayMAC: MACAddress(0x02, 0, 0, 0, 0, 0xFE), prefixLength: 24,
        addresses: [
            AddressGrant(address: IPv4Address(10, 0, 0, 1).rawValue, mac: MACAddress(0x02, 0, 0, 0, 0, 1), whole: true),
            AddressGrant(
                address: IPv4Address(10, 0, 0, 3).rawValue, mac: MACAddress(0x02, 0, 0, 0, 0, 0xFE), whole: false),
        ],
        portShares: [
            WirePortShare(proto: 17, address: IPv4Address(10, 0, 0, 3).rawValue, firstPort: 5000, lastPort: 5009),
            WirePortShare(proto: 1, address: IPv4Address(10, 0, 0, 3).rawValue, firstPort: 100, lastPort: 109),
        ])

    @Test func theDataPathsIdentityBecomesTheStacks() {
        let configuration = StackConfiguration(dataPath: Self.info, secret: 1)
        #expect(configuration.mtu == 1400 && configuration.prefixLength == 24)
        #expect(
            configuration.gateway == IPv4Address(10, 0, 0, 254)
                && configuration.gatewayMAC == MACAddress(0x02, 0, 0, 0, 0, 0xFE))
        #expect(configuration.addresses.map(\.owned) == [true, false])
        #expect(
            configuration.grants == [
                EndpointGrant(proto: .udp, address: IPv4Address(10, 0, 0, 3), ports: 5000...5009),
                EndpointGrant(proto: .icmp, address: IPv4Address(10, 0, 0, 3), ports: 100...109),
            ])
        var stack = NetworkStack(configuration: configuration)
        #expect(stack.maximumUDPPayload == 1372)
        // Any port on the owned address; only granted ones on the shared address.
        #expect((try? stack.openUDP(address: IPv4Address(10, 0, 0, 1), port: 80)) != nil)
        #expect(throws: StackError.notGranted) { try stack.openUDP(address: IPv4Address(10, 0, 0, 3), port: 80) }
        #expect((try? stack.openUDP(address: IPv4Address(10, 0, 0, 3), port: 5005)) != nil)
        // Without an address, port 5001 is found on the first address granting it: the owned one.
        let handle = try! stack.openUDP(port: 5001)
        #expect(stack.udp.localEndpoint(handle)?.address == IPv4Address(10, 0, 0, 1))
    }
}
