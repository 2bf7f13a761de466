// Specification of the packet backend's configuration rules: the interface must exist and its
// MTU fit a frame; host addresses a tenant uses, forwarding, an unused nic.mtu and no gateway MAC warn.

import ExoCore
import ExoWire
import ExoPacket
import Testing

@testable import ExoDaemon

@Suite struct ConfigPacketNicTests {
    static let gateway = MACAddress(0x02, 0x00, 0x5E, 0x00, 0x00, 0x01)

    /// alice owns 10.77.0.2 and shares udp 5000-5099 of 10.77.0.10, on a packet-backend NIC.
    static func config(gatewayMAC: MACAddress? = gateway, frameSize: UInt32 = 4096) -> DaemonConfig {
        var c = ConfigFixtures.config()
        c.frameSize = frameSize
        c.tenants[0].addresses = [IPv4Address("10.77.0.2")!]
        c.tenants[0].ports = [PortShare(.udp, IPv4Address("10.77.0.10")!, ports: 5000...5099)]
        c.nic = NicConfig(backend: NicConfig.packetBackend, name: "veth0", hostAddress: IPv4Address("10.77.0.1")!,
            prefixLength: 24, gatewayMAC: gatewayMAC)
        return c
    }

    static func check(_ c: DaemonConfig, _ facts: NicHostFacts) -> (errors: [String], warnings: [String]) {
        let result = ConfigValidator.check(c, file: "test.toml", limits: ConfigFixtures.documentedLimits, nicFacts: facts)
        return (result.errors.map(\.description), result.warnings)
    }

    @Test func aQuietInterfaceIsValidWithoutWarnings() {
        let result = Self.check(Self.config(), NicHostFacts(exists: true, mtu: 1500))
        #expect(result.errors.isEmpty)
        #expect(result.warnings.isEmpty)
    }

    @Test func aMissingInterfaceIsAnErrorNamingTheKey() {
        let result = Self.check(Self.config(), NicHostFacts(exists: false, mtu: 0))
        #expect(result.errors == ["test.toml: nic.name: no interface 'veth0' on this host: the packet backend uses an existing interface"])
    }

    @Test func aJumboMTUNeedsLargerFrames() {
        let small = Self.check(Self.config(), NicHostFacts(exists: true, mtu: 9000))
        #expect(small.errors.count == 1)
        #expect(small.errors.first?.hasPrefix("test.toml: frames.size: 4096 bytes cannot hold a frame of 'veth0' (nic.name): MTU 9000") == true)
        let large = Self.check(Self.config(frameSize: 12288), NicHostFacts(exists: true, mtu: 9000))
        #expect(large.errors.isEmpty)
        #expect(large.warnings == ["test.toml: nic.mtu: 1500 is not used by the packet backend: 'veth0' has MTU 9000, which tenants are told"])
    }

    @Test func hostAddressesATenantUsesAndForwardingAreWarnings() {
        let facts = NicHostFacts(exists: true, mtu: 1500,
            hostAddresses: [IPv4Address("10.77.0.10")!, IPv4Address("10.77.0.2")!, IPv4Address("10.77.0.99")!],
            forwarding: true)
        let result = Self.check(Self.config(), facts)
        #expect(result.errors.isEmpty)
        #expect(result.warnings.count == 3)
        #expect(result.warnings.contains { $0.hasPrefix("test.toml: nic.name: IPv4 forwarding is on for 'veth0'") })
        #expect(result.warnings.contains { $0.hasPrefix("test.toml: tenant[0].addresses[0]: 10.77.0.2 is also a host address on 'veth0'") })
        #expect(result.warnings.contains { $0.hasPrefix("test.toml: tenant[0].ports[0]: 10.77.0.10 is also a host address on 'veth0'") })
    }

    @Test func withoutAGatewayMACTenantsAreToldToResolveIt() {
        let result = Self.check(Self.config(gatewayMAC: nil), NicHostFacts(exists: true, mtu: 1500))
        #expect(result.errors.isEmpty)
        #expect(result.warnings == ["test.toml: nic.gateway_mac: not set: tenants are told 00:00:00:00:00:00 and must resolve their gateway 10.77.0.1 by ARP"])
    }

    @Test func theLoaderReadsTheGatewayMACAndTheTAPBackendRefusesIt() throws {
        let base = "[frames]\ncount = 64\nsize = 4096\n\n[nic]\nhost_address = \"10.77.0.1/24\"\n"
        let packet = try ConfigLoader.parse(base + "backend = \"packet\"\nname = \"veth0\"\ngateway_mac = \"02:00:5e:00:00:01\"\n", file: "t.toml")
        #expect(packet.nic?.gatewayMAC == Self.gateway)
        #expect(packet.nic?.isPacketBackend == true)
        #expect(ConfigFixtures.parseError(base + "gateway_mac = \"ff:ff:ff:ff:ff:ff\"\n")?.key == "nic.gateway_mac")
        let tap = try ConfigLoader.parse(base + "gateway_mac = \"02:00:5e:00:00:01\"\n", file: "t.toml")
        #expect(ConfigFixtures.errors(tap).contains { $0.hasPrefix("test.toml: nic.gateway_mac: only the packet backend") })
    }

    @Test func busyPollingIsOffUnlessTheFileTurnsItOnAndMustBeABoolean() throws {
        let base = "[frames]\ncount = 64\nsize = 4096\n\n[nic]\nhost_address = \"10.77.0.1/24\"\nbackend = \"packet\"\nname = \"veth0\"\n"
        #expect(try ConfigLoader.parse(base, file: "t.toml").nic?.busyPoll == false)
        #expect(try ConfigLoader.parse(base + "busy_poll = true\n", file: "t.toml").nic?.busyPoll == true)
        #expect(ConfigFixtures.parseError(base + "busy_poll = 1\n")?.key == "nic.busy_poll")
    }

    @Test func aDeletedLinkKeepsTheDaemonServingUnlessTheFileSaysExitOrReattach() throws {
        let base = "[frames]\ncount = 64\nsize = 4096\n\n[nic]\nhost_address = \"10.77.0.1/24\"\n"
        #expect(try ConfigLoader.parse(base, file: "t.toml").nic?.onLinkLoss == .keepServing)
        #expect(try ConfigLoader.parse(base + "on_link_loss = \"exit\"\n", file: "t.toml").nic?.onLinkLoss == .exit)
        #expect(
            try ConfigLoader.parse(base + "on_link_loss = \"keep-serving\"\n", file: "t.toml").nic?.onLinkLoss
                == .keepServing)
        for backend in ["tap", "packet"] {
            let text = base + "backend = \"\(backend)\"\nname = \"veth0\"\non_link_loss = \"reattach\"\n"
            #expect(try ConfigLoader.parse(text, file: "t.toml").nic?.onLinkLoss == .reattach)
        }
        #expect(ConfigFixtures.parseError(base + "on_link_loss = \"Reattach\"\n")?.key == "nic.on_link_loss")
        let wrong = ConfigFixtures.parseError(base + "on_link_loss = \"restart\"\n")
        #expect(wrong?.key == "nic.on_link_loss")
        #expect(wrong?.message.contains("\"keep-serving\" or \"exit\" or \"reattach\"") == true, "\(String(describing: wrong))")
    }
}
