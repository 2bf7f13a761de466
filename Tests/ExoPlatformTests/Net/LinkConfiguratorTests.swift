// Specification of LinkConfigurator against the real kernel: the recommended bring-up as
// `ip` and our own read-back see it, silence on IPv6, an ARP round trip through the TAP
// counted by the kernel, and typed errors that carry libnl's text.
import ExoPlatform
import Glibc
import Testing

@Suite struct LinkConfiguratorTests {
    @Test func configureTurnsOffIPv6GenerationSetsTheMTUAddsTheAddressAndBringsTheLinkUp() throws {
        let configurator = try LinkConfigurator()
        let link = try ConfiguredTap(configurator: configurator)
        let name = link.tap.name

        let shown = try runIP(["-d", "link", "show", name])
        #expect(shown.output.contains("mtu 1400"))
        #expect(shown.output.contains("addrgenmode none"))
        #expect(shown.output.contains("<BROADCAST,MULTICAST,UP,LOWER_UP>"))
        let addresses = try runIP(["addr", "show", "dev", name])
        #expect(addresses.output.contains("inet \(link.host) "))
        #expect(addresses.output.contains("inet6") == false)

        let state = try configurator.state(ifindex: link.tap.ifindex)
        #expect(state.ifindex == link.tap.ifindex)
        #expect(state.name == name)
        #expect(state.isUp && state.isRunning)
        #expect(state.mtu == 1400)
        #expect(state.inet6AddressGeneration == Inet6AddressGeneration.none)
        #expect(state.hardwareAddress.count == 6)
        #expect(try configurator.addresses(ifindex: link.tap.ifindex) == [LinkAddress(family: .ipv4, bytes: link.host.octets, prefixLength: 30)])
        #expect(try configurator.ifindex(named: name) == link.tap.ifindex)
    }

    /// The control link differs only in keeping IPv6 address generation: it must chatter
    /// (so this test can fail), the configured one must not.
    @Test func aLinkConfiguredThisWaySendsNoIPv6WhileAControlLinkDoes() throws {
        let configurator = try LinkConfigurator()
        let quiet = try ConfiguredTap(configurator: configurator)
        let control = try TapDevice(name: TestNames.uniqueTap())
        try configurator.setMTU(1400, ifindex: control.ifindex)
        try configurator.setUp(true, ifindex: control.ifindex)

        let isIPv6 = { (frame: [UInt8]) in etherType(frame) == 0x86DD }
        let chatter = try control.collectFrames(milliseconds: 3000, until: isIPv6)
        #expect(chatter.contains(where: isIPv6))
        #expect(try configurator.addresses(ifindex: control.ifindex).contains(where: \.isIPv6LinkLocal))

        #expect(try quiet.tap.collectFrames(milliseconds: 500).contains(where: isIPv6) == false)
        #expect(try configurator.addresses(ifindex: quiet.tap.ifindex).contains(where: \.isIPv6LinkLocal) == false)
    }

    @Test func anARPRequestWrittenToTheTapIsCountedAndAnsweredByTheKernel() throws {
        let configurator = try LinkConfigurator()
        let link = try ConfiguredTap(configurator: configurator)
        let before = try configurator.state(ifindex: link.tap.ifindex)
        let ourMAC: [UInt8] = [0x02, 0x00, 0x5e, 0x10, 0x20, 0x30]
        let request = arpRequest(senderMAC: ourMAC, senderIP: link.peer, targetIP: link.host.octets)

        #expect(try link.tap.write(bytes: request))
        let isReply = { (frame: [UInt8]) in
            etherType(frame) == 0x0806 && frame.count >= 42 && frame[20...21] == [0, 2]
        }
        let frames = try link.tap.collectFrames(milliseconds: 2000, until: isReply)

        let reply = try #require(frames.first(where: isReply))
        #expect(Array(reply[0..<6]) == ourMAC)  // to us, not broadcast
        #expect(Array(reply[6..<12]) == before.hardwareAddress)
        #expect(Array(reply[22..<28]) == before.hardwareAddress)  // sender hardware address
        #expect(Array(reply[28..<32]) == link.host.octets)  // sender protocol address
        #expect(Array(reply[32..<38]) == ourMAC)
        #expect(Array(reply[38..<42]) == link.peer)
        let after = try configurator.state(ifindex: link.tap.ifindex).counters
        #expect(after.rxPackets == before.counters.rxPackets + 1)
        #expect(after.rxBytes == before.counters.rxBytes + UInt64(request.count))
        #expect(after.txPackets >= before.counters.txPackets + 1)
        #expect(after.txBytes >= before.counters.txBytes + 42)
    }

    @Test func setUpFalseBringsTheLinkDownAndAnAddressCanBeRemoved() throws {
        let configurator = try LinkConfigurator()
        let link = try ConfiguredTap(configurator: configurator)
        try configurator.setUp(false, ifindex: link.tap.ifindex)
        let state = try configurator.state(ifindex: link.tap.ifindex)
        #expect(state.isUp == false && state.isRunning == false)
        #expect(try runIP(["link", "show", link.tap.name]).output.contains("state DOWN"))

        try configurator.removeIPv4Address(link.host, ifindex: link.tap.ifindex)
        #expect(try configurator.addresses(ifindex: link.tap.ifindex).isEmpty)
        #expect(try runIP(["addr", "show", "dev", link.tap.name]).output.contains("inet ") == false)
    }

    @Test func addingAnAddressTwiceIsRefusedWithLibnlsText() throws {
        let configurator = try LinkConfigurator()
        let link = try ConfiguredTap(configurator: configurator)
        let error = try #require(throws: NetlinkError.self) {
            try configurator.addIPv4Address(link.host, ifindex: link.tap.ifindex)
        }
        #expect(error.code == 6)  // NLE_EXIST
        #expect(error.message == "Object exists")
        #expect(error.description == "add \(link.host) to ifindex \(link.tap.ifindex): Object exists (libnl error 6)")
    }

    @Test func anMTUTheDeviceCannotTakeIsRefused() throws {
        let configurator = try LinkConfigurator()
        let tap = try TapDevice(name: TestNames.uniqueTap())
        let error = try #require(throws: NetlinkError.self) { try configurator.setMTU(10, ifindex: tap.ifindex) }
        #expect(error.operation == "set MTU 10 on ifindex \(tap.ifindex)")
        #expect(error.isNotFound == false)
        #expect(try configurator.state(ifindex: tap.ifindex).mtu == 1500)
    }

    @Test func aLinkThatIsGoneIsReportedAsNotFound() throws {
        let configurator = try LinkConfigurator()
        var tap: TapDevice? = try TapDevice(name: TestNames.uniqueTap())
        let ifindex = try #require(tap).ifindex
        tap = nil
        let stateError = try #require(throws: NetlinkError.self) { try configurator.state(ifindex: ifindex) }
        #expect(stateError.isNotFound)
        let changeError = try #require(throws: NetlinkError.self) { try configurator.setMTU(1400, ifindex: ifindex) }
        #expect(changeError.isNotFound)
        #expect(try configurator.addresses(ifindex: ifindex).isEmpty)
    }
}

@Suite struct InterfaceAddressTests {
    @Test func parsesDottedQuadWithPrefixAndPrintsItBack() throws {
        let address = try #require(IPv4InterfaceAddress("10.213.4.1/30"))
        #expect(address.address == 0x0AD5_0401)
        #expect(address.prefixLength == 30)
        #expect(address.octets == [10, 213, 4, 1])
        #expect(address.description == "10.213.4.1/30")
    }

    @Test(arguments: ["10.0.0.1", "10.0.0.1/33", "10.0.0/8", "a.b.c.d/8", "10.0.0.1/+8", "10.0.0.1/ 8", "10.0.0.1/", "10.0.0.1/8/8", "/8", "256.0.0.1/8"])
    func malformedTextIsRejected(_ text: String) {
        #expect(IPv4InterfaceAddress(text) == nil)
    }

    @Test func everyAddressAndPrefixSurvivesPrintingAndParsing() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let original = try #require(IPv4InterfaceAddress(address: generator.next(), prefixLength: UInt8.random(in: 0...32)))
            #expect(IPv4InterfaceAddress(original.description) == original)
        }
        #expect(IPv4InterfaceAddress(address: 1, prefixLength: 33) == nil)
    }

    @Test func linkLocalIsExactlyFe80Slash10() {
        let v6 = { (first: UInt8, second: UInt8) in
            LinkAddress(family: .ipv6, bytes: [first, second] + [UInt8](repeating: 0, count: 14), prefixLength: 64)
        }
        #expect(v6(0xfe, 0x80).isIPv6LinkLocal)
        #expect(v6(0xfe, 0xbf).isIPv6LinkLocal)
        #expect(v6(0xfe, 0xc0).isIPv6LinkLocal == false)
        #expect(v6(0xfd, 0x80).isIPv6LinkLocal == false)
        #expect(LinkAddress(family: .ipv4, bytes: [0xfe, 0x80, 0, 0], prefixLength: 10).isIPv6LinkLocal == false)
        #expect(LinkAddress(family: .ipv4, bytes: [10, 213, 0, 1], prefixLength: 30).ipv4 == IPv4InterfaceAddress("10.213.0.1/30"))
        #expect(v6(0xfe, 0x80).ipv4 == nil)
    }
}
