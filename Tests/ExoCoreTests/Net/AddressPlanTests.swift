// The address plan: lookups of owner, MAC and port shares, and every way a configuration
// could let two tenants claim one address, port or MAC refused with its typed error.
import ExoCore
import ExoWire
import ExoPacket
import Testing

@Suite struct AddressPlanTests {
    @Test func wholeAddressesBelongToTheirOwnerWithTheirMAC() {
        #expect(Net.plan.owner(of: Net.addressA) == .whole(Net.a))
        #expect(Net.plan.owner(of: Net.addressB) == .whole(Net.b))
        #expect(Net.plan.mac(of: Net.addressA) == Net.macA)
        #expect(Net.plan.mac(of: Net.addressB) == Net.macB)
        #expect(Net.plan.owner(of: Net.gateway) == nil && Net.plan.mac(of: Net.stranger) == nil)
    }

    @Test func aSharedAddressHasTheDaemonsMAC() {
        #expect(Net.plan.owner(of: Net.shared) == .shared)
        #expect(Net.plan.mac(of: Net.shared) == Net.daemonMAC)
    }

    @Test(arguments: [
        (TransportProtocol.udp, UInt16(999), TenantID?.none), (.udp, 1000, Net.a), (.udp, 1999, Net.a), (.udp, 2000, Net.b),
        (.udp, 2999, Net.b), (.udp, 3000, nil), (.udp, 8050, nil), (.tcp, 7999, nil), (.tcp, 8000, Net.a), (.tcp, 8099, Net.a),
        (.tcp, 8100, Net.b), (.tcp, 8199, Net.b), (.tcp, 8200, nil), (.tcp, 1500, nil), (.udp, 0, nil), (.udp, 65535, nil),
    ])
    func shareHoldersAreFoundAtEveryBoundary(proto: TransportProtocol, port: UInt16, holder: TenantID?) {
        #expect(Net.plan.shareHolder(proto, Net.shared, port: port) == holder)
    }

    @Test func sharesOfWholeOrUnknownAddressesHaveNoHolder() {
        #expect(Net.plan.shareHolder(.udp, Net.addressA, port: 1500) == nil)
        #expect(Net.plan.shareHolder(.udp, Net.stranger, port: 1500) == nil)
        #expect(Net.plan.hasShare(Net.a, of: Net.shared) && Net.plan.hasShare(Net.b, of: Net.shared))
        #expect(!Net.plan.hasShare(Net.c, of: Net.shared) && !Net.plan.hasShare(Net.a, of: Net.addressA))
    }

    @Test func grantsFollowOwnershipAndShares() {
        #expect(Net.plan.grants(Endpoint(.tcp, Net.addressA, 443), to: Net.a))
        #expect(!Net.plan.grants(Endpoint(.tcp, Net.addressA, 443), to: Net.b))
        #expect(!Net.plan.grants(Endpoint(.tcp, Net.addressA, 0), to: Net.a))
        #expect(Net.plan.grants(Endpoint(.udp, Net.shared, 1000), to: Net.a))
        #expect(!Net.plan.grants(Endpoint(.udp, Net.shared, 1000), to: Net.b))
        #expect(!Net.plan.grants(Endpoint(.tcp, Net.shared, 1000), to: Net.a))
        #expect(!Net.plan.grants(Endpoint(.udp, Net.stranger, 1000), to: Net.a))
    }

    static func interleavedGrant(_ t: Int) -> NetworkGrant {
        let udp = PortShare(.udp, Net.shared, ports: UInt16(10 + t * 10)...UInt16(19 + t * 10))
        let tcp = PortShare(.tcp, Net.shared, ports: UInt16(5 + t * 10)...UInt16(9 + t * 10))
        return NetworkGrant(tenant: TenantID(t), shares: [udp, tcp])
    }

    @Test func manySharesOfOneAddressAreSearchedCorrectly() throws {
        // 200 tenants, ports interleaved by protocol, given out of order.
        let grants: [NetworkGrant] = (0..<200).reversed().map(Self.interleavedGrant)
        let plan = try AddressPlan(daemonMAC: Net.daemonMAC, grants: grants)
        #expect(plan.hasShare(0, of: Net.shared) && plan.hasShare(199, of: Net.shared) && !plan.hasShare(200, of: Net.shared))
        for port in UInt16(0)...2100 {
            let p = Int(port)
            let udp: TenantID? = p >= 10 && p <= 2009 ? TenantID((p - 10) / 10) : nil
            let tcp: TenantID? = p >= 5 && p <= 2004 && (p - 5) % 10 < 5 ? TenantID((p - 5) / 10) : nil
            #expect(plan.shareHolder(TransportProtocol.udp, Net.shared, port: port) == udp, "udp \(port)")
            #expect(plan.shareHolder(TransportProtocol.tcp, Net.shared, port: port) == tcp, "tcp \(port)")
        }
    }

    static let refused: [(String, [NetworkGrant], AddressPlanError)] = [
        ("the same address whole to two tenants",
         [NetworkGrant(tenant: 0, addresses: [WholeAddress(Net.addressA, mac: Net.macA)]),
          NetworkGrant(tenant: 1, addresses: [WholeAddress(Net.addressA, mac: Net.macB)])],
         .addressGrantedTwice(Net.addressA, 0, 1)),
        ("an address whole to one tenant and in part to another",
         [NetworkGrant(tenant: 0, addresses: [WholeAddress(Net.addressA, mac: Net.macA)]),
          NetworkGrant(tenant: 1, shares: [PortShare(.udp, Net.addressA, ports: 1...10)])],
         .addressGrantedTwice(Net.addressA, 0, 1)),
        ("an address whole and in part to the same tenant",
         [NetworkGrant(tenant: 0, addresses: [WholeAddress(Net.addressA, mac: Net.macA)], shares: [PortShare(.udp, Net.addressA, ports: 1...10)])],
         .addressGrantedTwice(Net.addressA, 0, 0)),
        ("overlapping port ranges",
         [NetworkGrant(tenant: 0, shares: [PortShare(.udp, Net.shared, ports: 1000...2000)]),
          NetworkGrant(tenant: 1, shares: [PortShare(.udp, Net.shared, ports: 2000...3000)])],
         .overlappingShares(.udp, Net.shared, 0, 1)),
        ("a range inside another",
         [NetworkGrant(tenant: 0, shares: [PortShare(.tcp, Net.shared, ports: 1000...5000)]),
          NetworkGrant(tenant: 1, shares: [PortShare(.tcp, Net.shared, ports: 2000...2001)])],
         .overlappingShares(.tcp, Net.shared, 0, 1)),
        ("port 0 in a share",
         [NetworkGrant(tenant: 0, shares: [PortShare(.udp, Net.shared, ports: 0...10)])],
         .portZero(.udp, Net.shared, 0)),
        ("a multicast address", [NetworkGrant(tenant: 0, addresses: [WholeAddress(IPv4Address(224, 0, 0, 5), mac: Net.macA)])],
         .unusableAddress(IPv4Address(224, 0, 0, 5))),
        ("loopback shared", [NetworkGrant(tenant: 0, shares: [PortShare(.udp, IPv4Address(127, 0, 0, 1), ports: 1...2)])],
         .unusableAddress(IPv4Address(127, 0, 0, 1))),
        ("the broadcast address", [NetworkGrant(tenant: 0, addresses: [WholeAddress(.broadcast, mac: Net.macA)])],
         .unusableAddress(.broadcast)),
        ("a multicast MAC", [NetworkGrant(tenant: 0, addresses: [WholeAddress(Net.addressA, mac: .broadcast)])],
         .unusableMAC(.broadcast)),
        ("one MAC for two tenants",
         [NetworkGrant(tenant: 0, addresses: [WholeAddress(Net.addressA, mac: Net.macA)]),
          NetworkGrant(tenant: 1, addresses: [WholeAddress(Net.addressB, mac: Net.macA)])],
         .macOfTwoTenants(Net.macA, 0, 1)),
        ("a tenant using the daemon's MAC", [NetworkGrant(tenant: 0, addresses: [WholeAddress(Net.addressA, mac: Net.daemonMAC)])],
         .daemonMAC(Net.daemonMAC, 0)),
        ("a tenant granted twice", [NetworkGrant(tenant: 3), NetworkGrant(tenant: 3)], .duplicateTenant(3)),
    ]

    @Test(arguments: refused.indices) func conflictingGrantsAreRefused(index: Int) {
        let (name, grants, error) = Self.refused[index]
        #expect(throws: error, "\(name)") { try AddressPlan(daemonMAC: Net.daemonMAC, grants: grants) }
    }

    @Test func aMulticastDaemonMACIsRefused() {
        #expect(throws: AddressPlanError.unusableMAC(MACAddress(0x01, 0, 0x5E, 0, 0, 1))) {
            try AddressPlan(daemonMAC: MACAddress(0x01, 0, 0x5E, 0, 0, 1), grants: [])
        }
    }

    @Test func adjacentRangesAndOneTenantsSeveralAddressesAreFine() throws {
        let plan = try AddressPlan(daemonMAC: Net.daemonMAC, grants: [
            NetworkGrant(tenant: 0, addresses: [WholeAddress(Net.addressA, mac: Net.macA), WholeAddress(Net.stranger, mac: Net.macA)],
                         shares: [PortShare(.udp, Net.shared, ports: 1...1000), PortShare(.tcp, Net.shared, ports: 1001...1001)]),
            NetworkGrant(tenant: 1, shares: [PortShare(.udp, Net.shared, ports: 1001...65535), PortShare(.tcp, Net.shared, ports: 1...1000)]),
        ])
        #expect(plan.owner(of: Net.stranger) == .whole(0) && plan.mac(of: Net.stranger) == Net.macA)
        let udpOnly = try AddressPlan(daemonMAC: Net.daemonMAC, grants: [NetworkGrant(tenant: 4, shares: [PortShare(.udp, Net.shared, ports: 9...9)])])
        let tcpOnly = try AddressPlan(daemonMAC: Net.daemonMAC, grants: [NetworkGrant(tenant: 4, shares: [PortShare(.tcp, Net.shared, ports: 9...9)])])
        #expect(udpOnly.hasShare(4, of: Net.shared) && tcpOnly.hasShare(4, of: Net.shared))
        #expect(udpOnly.shareHolder(.udp, Net.shared, port: 9) == 4 && udpOnly.shareHolder(.tcp, Net.shared, port: 9) == nil)
        #expect(tcpOnly.shareHolder(.tcp, Net.shared, port: 9) == 4 && tcpOnly.shareHolder(.udp, Net.shared, port: 9) == nil)
        #expect(plan.shareHolder(.udp, Net.shared, port: 1000) == 0 && plan.shareHolder(.udp, Net.shared, port: 1001) == 1)
        #expect(plan.shareHolder(.tcp, Net.shared, port: 1000) == 1 && plan.shareHolder(.tcp, Net.shared, port: 1001) == 0)
    }
}
