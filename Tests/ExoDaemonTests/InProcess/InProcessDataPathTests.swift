// The whole daemon's data plane, in-process and without root: a tenant opens its data path
// over the control socket, packets cross between the in-memory device and its rings through
// the daemon's own loop (tx woken by the tenant's eventfd kick), and an impairment set over
// the control protocol holds packets on the virtual clock.

import ExoCore
import ExoPacket
import ExoWire
import Testing

@testable import ExoDaemon

@Suite("The whole daemon in-process: data plane")
struct InProcessDataPathTests {
    @Test("a packet from the wire to a bound port reaches the tenant's rx ring on the next turn, counted in stats and nic")
    func receivedPacketReachesTheTenant() throws {
        let daemon = try InProcessDaemon()
        let alice = try TenantDataPath(peer: try daemon.attachTenant("alice"))
        try alice.bindUDP(port: 7000)
        let packet = InProcessDaemon.packetFromWire(to: alice.address, port: 7000, payload: Array("hello".utf8))

        daemon.receiveFromWire([packet])

        #expect(try alice.received() == [packet])
        let op = try daemon.attachOperator()
        let stats = try op.call(ControlCalls.stats)
        #expect(stats.first { $0.tenant == "alice" }?.rxPackets == 1)
        #expect(try op.call(ControlCalls.nic).rxPackets == 1)
    }

    @Test("a packet to a port nobody bound reaches no ring")
    func unboundPacketReachesNoRing() throws {
        let daemon = try InProcessDaemon()
        let alice = try TenantDataPath(peer: try daemon.attachTenant("alice"))
        try alice.bindUDP(port: 7000)

        daemon.receiveFromWire([InProcessDaemon.packetFromWire(to: alice.address, port: 7001, payload: [1])])

        #expect(try alice.received().isEmpty)
        let op = try daemon.attachOperator()
        #expect(try op.call(ControlCalls.nic).drops == 1)
    }

    @Test("a packet the tenant posts on tx and kicks through its eventfd leaves through the device, and its frame comes back on completion")
    func sentPacketLeavesThroughTheDevice() throws {
        let daemon = try InProcessDaemon()
        let alice = try TenantDataPath(peer: try daemon.attachTenant("alice"))
        let packet = InProcessDaemon.packetToWire(from: alice.address, port: 7000, payload: Array("out".utf8))
        let held = alice.frames.count

        try alice.send([packet])
        #expect(daemon.sentToWire().isEmpty)
        daemon.turn()

        #expect(daemon.sentToWire() == [packet])
        #expect(try alice.completed().count == 1)
        #expect(alice.frames.count == held)
        let op = try daemon.attachOperator()
        #expect(try op.call(ControlCalls.stats).first { $0.tenant == "alice" }?.txPackets == 1)
    }

    @Test("a packet one tenant sends to another's bound port is delivered by the daemon and never reaches the wire")
    func hairpinBetweenTenants() throws {
        let daemon = try InProcessDaemon()
        let alice = try TenantDataPath(peer: try daemon.attachTenant("alice"))
        let bob = try TenantDataPath(peer: try daemon.attachTenant("bob"))
        try bob.bindUDP(port: 9000)
        let packet = TestPackets.udp(
            from: alice.address.mac, IPv4Address(rawValue: alice.address.address), 7000,
            to: bob.address.mac, IPv4Address(rawValue: bob.address.address), 9000, payload: Array("hi bob".utf8))

        try alice.send([packet])
        daemon.turn()

        #expect(try bob.received() == [packet])
        #expect(daemon.sentToWire().isEmpty)
    }

    @Test("a delay set with the impair request holds a received packet until the virtual clock reaches it, however long the test takes")
    func delayReleasesOnTheVirtualClock() throws {
        let daemon = try InProcessDaemon()
        let alice = try TenantDataPath(peer: try daemon.attachTenant("alice"))
        try alice.bindUDP(port: 7000)
        let op = try daemon.attachOperator()
        var profile = WireImpairmentProfile()
        profile.delayNanoseconds = 20_000_000
        try op.call(ControlCalls.impair(tenant: "alice", direction: .toTenants, profile: profile, seed: 1))
        let packet = InProcessDaemon.packetFromWire(to: alice.address, port: 7000, payload: Array("later".utf8))

        daemon.receiveFromWire([packet])
        #expect(try alice.received().isEmpty)
        // The release timer is a timerfd armed for 20 ms of real time: this wait sees it fire,
        // and the daemon releases nothing, for the virtual clock has not moved.
        try daemon.daemon.turn(timeoutMilliseconds: 50)
        #expect(try alice.received().isEmpty)
        daemon.advanceTime(by: 19_999_999)
        #expect(try alice.received().isEmpty)
        daemon.advanceTime(by: 1)

        #expect(try alice.received() == [packet])
        let drops = try op.call(ControlCalls.stats).first { $0.tenant == "alice" }?.drops ?? []
        #expect(drops.filter { $0.reason == "rx.impair.delayed" }.map(\.count) == [1])
    }

    @Test("a tenant's session that ends takes its data path with it: its binding is gone and its frames are free")
    func endedSessionReleasesItsDataPath() throws {
        let daemon = try InProcessDaemon()
        let op = try daemon.attachOperator()
        var alice: TenantDataPath? = try TenantDataPath(peer: try daemon.attachTenant("alice"))
        try alice?.bindUDP(port: 7000)
        let address = try #require(alice?.address)
        #expect(try op.call(ControlCalls.bindings(tenant: "alice", page: Page())).entries.count == 1)

        alice?.peer.close()
        alice = nil
        daemon.receiveFromWire([InProcessDaemon.packetFromWire(to: address, port: 7000, payload: [1])])

        #expect(try op.call(ControlCalls.bindings(tenant: "alice", page: Page())).entries.isEmpty)
        let status = try op.call(ControlCalls.status)
        #expect(status.freeFrames == status.poolFrames)
        #expect(try op.call(ControlCalls.nic).drops == 1)
    }
}

/// `[limits]` rates on the in-process data plane: a burst of 10 ms at the full rate passes,
/// the rest is dropped and counted, and the virtual clock's progress lets more through.
@Suite("Rate limits on the in-process data plane")
struct InProcessRateLimitTests {
    @Test("past tx_packets_per_second a tenant's packets wait on its ring until its rate allows them, and none is lost")
    func sentPacketsPastTheRateWait() throws {
        // 500 a second: a burst of 5, then one every 2 ms.
        let daemon = try InProcessDaemon { $0.limits.txPacketsPerSecond = 500 }
        let alice = try TenantDataPath(peer: try daemon.attachTenant("alice"))
        let packets = (0..<8).map { InProcessDaemon.packetToWire(from: alice.address, port: 7000, payload: [UInt8($0)]) }
        try alice.send(packets)
        daemon.turn()
        #expect(daemon.sentToWire() == Array(packets.prefix(5)))
        #expect(try alice.completed().count == 5)
        // The rest stay on the tx ring (the sender's backpressure): 4 ms later two more go,
        // brought back by the rate timer without another kick; 2 ms after that, the last.
        daemon.advanceTime(by: 4_000_000)
        #expect(daemon.sentToWire() == Array(packets[5..<7]))
        daemon.advanceTime(by: 2_000_000)
        #expect(daemon.sentToWire() == [packets[7]])
        #expect(try alice.completed().count == 3)
        let op = try daemon.attachOperator()
        let stats = try op.call(ControlCalls.stats).first { $0.tenant == "alice" }
        #expect(stats?.txPackets == 8)
        #expect(stats?.drops.isEmpty == true)
    }

    @Test("past tx_bytes_per_second a packet larger than what the bucket holds is dropped and counted; its frame comes back")
    func sentBytesPastTheRateAreDropped() throws {
        // 100 kB/s holds 64 KiB (one largest packet) at first: 28 packets of 1,442 bytes
        // (40,376) pass, and of 28 more at the same instant the 17 that fit the 25,160 left.
        let daemon = try InProcessDaemon { $0.limits.txBytesPerSecond = 100_000 }
        let alice = try TenantDataPath(peer: try daemon.attachTenant("alice"), frameCount: 32, fillFrames: 4)
        let payload = [UInt8](repeating: 1, count: 1400)
        let packets = (0..<28).map { _ in InProcessDaemon.packetToWire(from: alice.address, port: 7000, payload: payload) }
        try alice.send(packets)
        daemon.turn()
        #expect(daemon.sentToWire().count == 28)
        #expect(try alice.completed().count == 28)
        try alice.send(packets)
        daemon.turn()
        let fit = (65_536 - 28 * packets[0].count) / packets[0].count
        #expect(daemon.sentToWire().count == fit)
        #expect(try alice.completed().count == 28)
        let op = try daemon.attachOperator()
        let stats = try op.call(ControlCalls.stats).first { $0.tenant == "alice" }
        #expect(stats?.drops.first { $0.reason == "tx.rateLimited" }?.count == UInt64(28 - fit))
    }

    @Test("past rx_packets_per_second packets for a tenant are dropped and counted, and time lets more in")
    func receivedPacketsPastTheRateAreDropped() throws {
        // 500 a second: a burst of 5.
        let daemon = try InProcessDaemon { $0.limits.rxPacketsPerSecond = 500 }
        let alice = try TenantDataPath(peer: try daemon.attachTenant("alice"))
        try alice.bindUDP(port: 7000)
        let packets = (0..<8).map { InProcessDaemon.packetFromWire(to: alice.address, port: 7000, payload: [UInt8($0)]) }
        daemon.receiveFromWire(packets)
        #expect(try alice.received() == Array(packets.prefix(5)))
        let op = try daemon.attachOperator()
        let stats = try op.call(ControlCalls.stats).first { $0.tenant == "alice" }
        #expect(stats?.rxPackets == 5)
        #expect(stats?.drops.first { $0.reason == "rx.rateLimited" }?.count == 3)
        // 4 ms later (two more earned), with fill frames posted again.
        try alice.postFill(count: 3)
        daemon.advanceTime(by: 4_000_000)
        daemon.receiveFromWire(Array(packets.suffix(3)))
        #expect(try alice.received() == Array(packets.suffix(3).prefix(2)))
    }
}
