// The data plane over the in-memory device, in-process and without root: packets move
// between the device and a session's rings both ways, tenants reach each other through the
// daemon (hairpin), and filters decide delivery.

import ExoCore
import ExoPacket
import ExoWire
import Testing

@testable import ExoDaemon

@Suite("Data plane over the in-memory device")
struct DataPlaneDeviceTests {
    @Test("a packet from the wire to a bound port lands on the tenant's rx ring, byte for byte, and is counted")
    func receivedPacketReachesTheRing() throws {
        let harness = try DataPlaneHarness()
        let alice = try harness.attach(DataPlaneHarness.alice)
        try harness.bindUDP(alice, port: 7000)
        let packet = harness.packetFromWire(to: DataPlaneHarness.alice, port: 7000, payload: Array("hello".utf8))

        harness.receive([packet])

        #expect(try alice.received() == [packet])
        #expect(harness.plane.counters[0].rxPackets == 1)
        #expect(harness.plane.counters[0].rxBytes == UInt64(packet.count))
        #expect(harness.nic.counters.rxPackets == 1)
    }

    @Test("a packet to a port nobody bound reaches no ring and counts as a NIC drop")
    func unboundPacketIsDropped() throws {
        let harness = try DataPlaneHarness()
        let alice = try harness.attach(DataPlaneHarness.alice)
        try harness.bindUDP(alice, port: 7000)

        harness.receive([harness.packetFromWire(to: DataPlaneHarness.alice, port: 7001, payload: [1])])

        #expect(try alice.received().isEmpty)
        #expect(harness.nic.counters.nonzeroDrops.map(\.count).reduce(0, +) == 1)
        #expect(harness.plane.counters[0].rxPackets == 0)
    }

    @Test("a packet the tenant posts on tx leaves through the device unchanged and its frame comes back on completion")
    func sentPacketReachesTheDevice() throws {
        let harness = try DataPlaneHarness()
        let alice = try harness.attach(DataPlaneHarness.alice)
        let packet = TestPackets.udp(
            from: harness.mac(of: DataPlaneHarness.alice), DataPlaneHarness.aliceAddress, 7000,
            to: DataPlaneHarness.peerMAC, DataPlaneHarness.hostAddress, 4000, payload: Array("out".utf8))
        let held = alice.frames.count

        try alice.send([packet])
        harness.plane.transmit(harness.plane.paths[alice.session]!)

        #expect(harness.device.takeSent() == [packet])
        #expect(try alice.completed().count == 1)
        #expect(alice.frames.count == held)
        #expect(harness.plane.counters[0].txPackets == 1)
        #expect(harness.nic.counters.txPackets == 1)
    }

    @Test("a packet whose source is not the tenant's own address is refused by the egress guard, never sent")
    func spoofedPacketIsRefused() throws {
        let harness = try DataPlaneHarness()
        let alice = try harness.attach(DataPlaneHarness.alice)
        let spoofed = TestPackets.udp(
            from: harness.mac(of: DataPlaneHarness.alice), DataPlaneHarness.bobAddress, 7000,
            to: DataPlaneHarness.peerMAC, DataPlaneHarness.hostAddress, 4000, payload: [1])

        try alice.send([spoofed])
        harness.plane.transmit(harness.plane.paths[alice.session]!)

        #expect(harness.device.takeSent().isEmpty)
        #expect(try alice.completed().count == 1)
        #expect(!harness.plane.counters[0].nonzeroDrops.isEmpty)
    }

    @Test("a packet one tenant sends to another is delivered by the daemon and never reaches the device")
    func hairpinBetweenTenants() throws {
        let harness = try DataPlaneHarness()
        let alice = try harness.attach(DataPlaneHarness.alice)
        let bob = try harness.attach(DataPlaneHarness.bob)
        try harness.bindUDP(bob, port: 9000)
        let packet = TestPackets.udp(
            from: harness.mac(of: DataPlaneHarness.alice), DataPlaneHarness.aliceAddress, 7000,
            to: harness.mac(of: DataPlaneHarness.bob), DataPlaneHarness.bobAddress, 9000, payload: Array("hi bob".utf8))

        try alice.send([packet])
        harness.plane.transmit(harness.plane.paths[alice.session]!)

        #expect(try bob.received() == [packet])
        #expect(harness.device.takeSent().isEmpty)
        #expect(harness.plane.counters[0].txPackets == 1)
        #expect(harness.plane.counters[1].rxPackets == 1)
        #expect(harness.nic.counters.txPackets == 0)
    }

    @Test("a filter on a binding delivers the packets it matches and turns the rest away, counted for the tenant")
    func filtersDecideDelivery() throws {
        let harness = try DataPlaneHarness()
        let alice = try harness.attach(DataPlaneHarness.alice)
        try harness.bindUDP(alice, port: 7000)
        let endpoint = WireEndpoint(
            proto: TransportProtocol.udp.rawValue, address: DataPlaneHarness.aliceAddress.rawValue, port: 7000)
        // Only UDP source port 5000 (the transport header's first two bytes).
        let atom = WireFilterAtom(base: FilterBase.transport.rawValue, offset: 0, width: 2, mask: 0xFFFF, value: 5000)
        _ = try harness.plane.installFilter(endpoint, atoms: [atom], session: alice.session)
        let wanted = harness.packetFromWire(to: DataPlaneHarness.alice, port: 7000, payload: [1], sourcePort: 5000)
        let unwanted = harness.packetFromWire(to: DataPlaneHarness.alice, port: 7000, payload: [2], sourcePort: 4000)

        harness.receive([unwanted, wanted])

        #expect(try alice.received() == [wanted])
        #expect(harness.plane.counters[0].nonzeroDrops.map(\.reason) == ["rx.filteredOut"])
    }
}
