// Specification of the network configuration: [nic] and tenant addresses/ports decode with
// key-path errors, and the validator refuses grants outside the subnet or overlapping.

import ExoCore
import ExoWire
import ExoPacket
import Testing

@testable import ExoDaemon

@Suite("Config: network")
struct ConfigNetworkTests {
    typealias F = ConfigFixtures

    static let nicSection = """
        [nic]
        backend = "tap"
        name = "exo0"
        mtu = 1500
        host_address = "10.77.0.1/24"
        """

    static func tenant(_ name: String, uid: Int, addresses: String = "[]", ports: String = "[]") -> String {
        """
        [[tenant]]
        name = "\(name)"
        uids = [\(uid)]
        frame_quota = 16
        addresses = \(addresses)
        ports = \(ports)
        """
    }

    static func parse(_ tenants: String, nic: String = nicSection) throws -> DaemonConfig {
        try ConfigLoader.parse(F.file(tenants: nic + "\n" + tenants), file: "test.toml")
    }

    @Test func theSpecExampleDecodesAndValidates() throws {
        let config = try Self.parse(
            Self.tenant("alice", uid: 60001, addresses: #"["10.77.0.2"]"#, ports: #"["udp 10.77.0.10 5000-5099"]"#))
        #expect(config.nic == NicConfig(name: "exo0", mtu: 1500, hostAddress: IPv4Address(10, 77, 0, 1), prefixLength: 24))
        #expect(config.tenants[0].addresses == [IPv4Address(10, 77, 0, 2)])
        #expect(config.tenants[0].ports == [PortShare(.udp, IPv4Address(10, 77, 0, 10), ports: 5000...5099)])
        #expect(F.errors(config) == [])
        let plan = try config.addressPlan()
        #expect(plan.owner(of: IPv4Address(10, 77, 0, 2)) == .whole(0))
        #expect(plan.mac(of: IPv4Address(10, 77, 0, 2)) == MACAddress(0x02, 0, 10, 77, 0, 2))
        #expect(plan.shareHolder(.udp, IPv4Address(10, 77, 0, 10), port: 5050) == 0)
    }

    @Test func withoutANicThereIsNoDataPathAndNoGrants() throws {
        #expect(try ConfigLoader.parse(F.file(), file: "t").nic == nil)
        let config = try Self.parse(Self.tenant("alice", uid: 60001, addresses: #"["10.77.0.2"]"#), nic: "")
        #expect(F.errors(config) == [
            "test.toml: tenant[0].addresses: network grants need a [nic] section: without one there is no data path"
        ])
    }

    @Test func badSyntaxNamesTheElement() {
        #expect(F.parseError(F.file(tenants: Self.nicSection + "\n" + Self.tenant("a", uid: 1, addresses: #"["10.77.0"]"#)))?.description
            == "test.toml: tenant[0].addresses[0]: '10.77.0' is not an IPv4 address (a.b.c.d)")
        for share in ["sctp 10.77.0.10 1-2", "udp 10.77.0.10", "udp 10.77.0.10 9-8", "udp 10.77.0.10 70000", "udp x 1"] {
            let text = F.file(tenants: Self.nicSection + "\n" + Self.tenant("a", uid: 1, ports: "[\"x\", \"\(share)\"]"))
            #expect(F.parseError(text)?.key == "tenant[0].ports[0]")
        }
        #expect(F.parseError(F.file(tenants: "[nic]\nhost_address = \"10.77.0.1\"\n"))?.key == "nic.host_address")
        #expect(F.parseError(F.file(tenants: "[nic]\nname = \"x\"\n"))?.key == "nic.host_address")
        #expect(F.parseError(F.file(tenants: "[nic]\nhost_address = \"10.0.0.1/8\"\nspeed = 1\n"))?.key == "nic.speed")
    }

    @Test func aSinglePortIsAOnePortRange() {
        #expect(ConfigLoader.parsePortShare("tcp 10.77.0.10 80") == PortShare(.tcp, IPv4Address(10, 77, 0, 10), ports: 80...80))
        #expect(ConfigLoader.parsePortShare("udp  10.77.0.10  1-65535") == PortShare(.udp, IPv4Address(10, 77, 0, 10), ports: 1...65535))
    }

    @Test func echoIdentifierSharesAreValidatedLikePortShares() throws {
        #expect(ConfigLoader.parsePortShare("icmp 10.77.0.10 100-199") == PortShare(.icmp, IPv4Address(10, 77, 0, 10), ports: 100...199))
        #expect(ConfigLoader.parsePortShare("icmp 10.77.0.10 7") == PortShare(.icmp, IPv4Address(10, 77, 0, 10), ports: 7...7))
        #expect(ConfigLoader.parsePortShare("ICMP 10.77.0.10 7") == nil)
        let outside = try Self.parse(Self.tenant("alice", uid: 60001, ports: #"["icmp 10.78.0.10 100-199"]"#))
        #expect(F.errors(outside) == [
            "test.toml: tenant[0].ports[0]: 10.78.0.10 is outside the NIC's subnet 10.77.0.0/24 (nic.host_address)"
        ])
        let overlap = try Self.parse(
            Self.tenant("alice", uid: 60001, ports: #"["icmp 10.77.0.10 100-199", "udp 10.77.0.10 200-299"]"#) + "\n"
                + Self.tenant("bob", uid: 60002, ports: #"["icmp 10.77.0.10 199-299"]"#))
        #expect(F.errors(overlap) == [
            "test.toml: tenant[1].ports: icmp echo identifiers of 10.77.0.10 overlap between tenants 'alice' and 'bob'"
        ])
        let zero = try Self.parse(Self.tenant("alice", uid: 60001, ports: #"["icmp 10.77.0.10 0-9"]"#))
        #expect(F.errors(zero) == [
            "test.toml: tenant[0].ports: the icmp share of 10.77.0.10 includes identifier 0, which no endpoint may use"
        ])
        let disjoint = try Self.parse(
            Self.tenant("alice", uid: 60001, ports: #"["icmp 10.77.0.10 100-199"]"#) + "\n"
                + Self.tenant("bob", uid: 60002, ports: #"["icmp 10.77.0.10 200-299", "udp 10.77.0.10 100-199"]"#))
        #expect(F.errors(disjoint) == [])
    }

    @Test func nicKeysHaveRanges() throws {
        var config = F.config()
        config.nic = NicConfig(backend: "pcap", name: "way-too-long-name", mtu: 4096, hostAddress: IPv4Address(224, 0, 0, 1), prefixLength: 24)
        #expect(F.errors(config) == [
            "test.toml: nic.backend: 'pcap' is not a NIC backend: \"tap\" or \"packet\"",
            "test.toml: nic.name: 'way-too-long-name' is not an interface name: 1 to 15 printable ASCII characters without '/', ':' or spaces",
            "test.toml: nic.mtu: 4096 is out of range: must be between 68 and 4082 (frames.size minus the Ethernet header)",
            "test.toml: nic.host_address: 224.0.0.1 is not a unicast host address",
        ])
        config.nic = NicConfig(name: "a/b", mtu: 67, hostAddress: IPv4Address(10, 0, 0, 0), prefixLength: 24)
        #expect(F.errors(config).count == 3)
        config.nic = NicConfig(hostAddress: IPv4Address(10, 0, 0, 1), prefixLength: 31)
        #expect(F.errors(config) == [
            "test.toml: nic.host_address: /31 is out of range: the prefix length must be between 8 and 30"
        ])
    }

    @Test func grantsMustLieInTheSubnetAndNotBeTheGateway() throws {
        let config = try Self.parse(Self.tenant(
            "alice", uid: 60001, addresses: #"["10.78.0.2", "10.77.0.1", "10.77.0.255", "10.77.0.0"]"#,
            ports: #"["udp 10.77.0.1 5000-5001"]"#))
        #expect(F.errors(config) == [
            "test.toml: tenant[0].addresses[0]: 10.78.0.2 is outside the NIC's subnet 10.77.0.0/24 (nic.host_address)",
            "test.toml: tenant[0].addresses[1]: 10.77.0.1 is the NIC's host address (nic.host_address), the tenants' gateway",
            "test.toml: tenant[0].addresses[2]: 10.77.0.255 is the network or broadcast address of 10.77.0.0/24",
            "test.toml: tenant[0].addresses[3]: 10.77.0.0 is the network or broadcast address of 10.77.0.0/24",
            "test.toml: tenant[0].ports[0]: 10.77.0.1 is the NIC's host address (nic.host_address), the tenants' gateway",
        ])
    }

    @Test func overlapsBetweenTenantsAreRefusedNamingBoth() throws {
        let twiceWhole = try Self.parse(
            Self.tenant("alice", uid: 60001, addresses: #"["10.77.0.2"]"#) + "\n"
                + Self.tenant("bob", uid: 60002, addresses: #"["10.77.0.2"]"#))
        #expect(F.errors(twiceWhole) == [
            "test.toml: tenant[1].addresses: 10.77.0.2 is already granted whole to tenant 'alice'; it cannot be granted to 'bob' too"
        ])
        let wholeAndShared = try Self.parse(
            Self.tenant("alice", uid: 60001, addresses: #"["10.77.0.2"]"#) + "\n"
                + Self.tenant("bob", uid: 60002, ports: #"["udp 10.77.0.2 1-10"]"#))
        #expect(F.errors(wholeAndShared).first?.hasPrefix("test.toml: tenant[1].ports: 10.77.0.2 is already granted whole") == true)
        let sharesOverlap = try Self.parse(
            Self.tenant("alice", uid: 60001, ports: #"["udp 10.77.0.10 5000-5099"]"#) + "\n"
                + Self.tenant("bob", uid: 60002, ports: #"["udp 10.77.0.10 5099-5199", "tcp 10.77.0.10 5000-5099"]"#))
        #expect(F.errors(sharesOverlap) == [
            "test.toml: tenant[1].ports: udp ports of 10.77.0.10 overlap between tenants 'alice' and 'bob'"
        ])
        let disjoint = try Self.parse(
            Self.tenant("alice", uid: 60001, ports: #"["udp 10.77.0.10 5000-5099"]"#) + "\n"
                + Self.tenant("bob", uid: 60002, ports: #"["udp 10.77.0.10 5100-5199", "tcp 10.77.0.10 5000-5099"]"#))
        #expect(F.errors(disjoint) == [])
        let portZero = try Self.parse(Self.tenant("alice", uid: 60001, ports: #"["udp 10.77.0.10 0-9"]"#))
        #expect(F.errors(portZero) == [
            "test.toml: tenant[0].ports: the udp share of 10.77.0.10 includes port 0, which no endpoint may use"
        ])
    }

    @Test func tapNameMayComeFromTheEnvironment() throws {
        let config = try Self.parse(Self.tenant("alice", uid: 60001))
        #expect(config.withTapOverride(from: ["EXOKERNEL_TAP": "exotest7"]).nic?.name == "exotest7")
        #expect(config.withTapOverride(from: ["EXOKERNEL_TAP": ""]) == config)
        #expect(F.config().withTapOverride(from: ["EXOKERNEL_TAP": "x"]).nic == nil)
    }

    @Test func generatedMACsAreLocallyAdministeredUnicastAndDistinct() {
        let a = DaemonConfig.macForOwnedAddress(IPv4Address(10, 77, 0, 2))
        let b = DaemonConfig.macForOwnedAddress(IPv4Address(10, 77, 0, 3))
        #expect(a != b && a.isUnicast && a.isLocallyAdministered)
        #expect(DaemonConfig.daemonMAC.isUnicast && DaemonConfig.daemonMAC.isLocallyAdministered)
    }
}
