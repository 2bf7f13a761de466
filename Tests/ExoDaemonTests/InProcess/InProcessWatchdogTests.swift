// The systemd watchdog ping follows the data path's health, in the whole daemon in-process:
// a tenant's tx posted with its kick lost, or packets left on the device, withhold the ping
// at the second tick; serving them brings it back. An idle path, a ring held back for its
// tenant's rate and a path that moves between ticks keep it.

import ExoCore
import ExoPacket
import ExoWire
import Testing

@testable import ExoDaemon

@Suite("The systemd watchdog and the data path, in-process")
struct InProcessWatchdogTests {
    @Test("an idle data path pings at every tick")
    func idlePings() throws {
        let daemon = try InProcessDaemon()
        let alice = try TenantDataPath(peer: try daemon.attachTenant("alice"))
        try alice.bindUDP(port: 7000)
        for _ in 0..<4 {
            daemon.turn()
            #expect(daemon.watchdogTick())
        }
    }

    @Test("tx posted with a lost kick withholds the ping from the second tick until the ring is served")
    func lostKickWithholdsThePing() throws {
        let daemon = try InProcessDaemon()
        let alice = try TenantDataPath(peer: try daemon.attachTenant("alice"))
        let packet = InProcessDaemon.packetToWire(from: alice.address, port: 7000, payload: [1])
        try alice.send([packet], kick: false)
        daemon.turn()
        #expect(daemon.sentToWire().isEmpty)
        #expect(daemon.watchdogTick(), "the first tick has nothing to compare with")
        daemon.turn()
        #expect(!daemon.watchdogTick())
        #expect(!daemon.watchdogTick())

        alice.kickDaemon()
        daemon.turn()
        #expect(daemon.sentToWire() == [packet])
        #expect(daemon.watchdogTick())
    }

    @Test("packets left on the device withhold the ping at the second tick; a turn that takes them brings it back")
    func unservedDeviceWithholdsThePing() throws {
        let daemon = try InProcessDaemon()
        let alice = try TenantDataPath(peer: try daemon.attachTenant("alice"))
        try alice.bindUDP(port: 7000)
        let packet = InProcessDaemon.packetFromWire(to: alice.address, port: 7000, payload: [2])
        daemon.device.inject(packet)
        #expect(daemon.watchdogTick())
        #expect(!daemon.watchdogTick())
        daemon.turn()
        #expect(try alice.received() == [packet])
        #expect(daemon.watchdogTick())
    }

    @Test("a path that serves between ticks pings even with work always waiting")
    func progressPings() throws {
        let daemon = try InProcessDaemon()
        let alice = try TenantDataPath(peer: try daemon.attachTenant("alice"))
        try alice.bindUDP(port: 7000)
        for n in 0..<4 {
            daemon.turn()
            daemon.device.inject(InProcessDaemon.packetFromWire(to: alice.address, port: 7000, payload: [UInt8(n)]))
            #expect(daemon.watchdogTick())
            _ = try alice.received()
        }
    }

    @Test("a tx ring held back for its tenant's rate owes nothing: the ping goes on")
    func rateHeldRingPings() throws {
        // 500 a second: a burst of 5, the rest wait on the ring for the rate timer.
        let daemon = try InProcessDaemon { $0.limits.txPacketsPerSecond = 500 }
        let alice = try TenantDataPath(peer: try daemon.attachTenant("alice"))
        let packets = (0..<8).map { InProcessDaemon.packetToWire(from: alice.address, port: 7000, payload: [UInt8($0)]) }
        try alice.send(packets)
        daemon.turn()
        #expect(daemon.sentToWire().count == 5)
        for _ in 0..<3 { #expect(daemon.watchdogTick()) }
    }
}
