// Fragment reassembly on the in-process data plane, its timer driven on the virtual clock.

import ExoCore
import ExoPacket
import Testing

@testable import ExoDaemon

@Suite("Reassembly on the in-process data plane")
struct DataPlaneReassemblyTests {
    static func fragments(_ harness: DataPlaneHarness) -> [[UInt8]] {
        TestPackets.udpFragments(
            from: DataPlaneHarness.peerMAC, DataPlaneHarness.hostAddress, 4000,
            to: harness.mac(of: DataPlaneHarness.alice), DataPlaneHarness.aliceAddress, 7000,
            payload: Array("sixteen bytes!!!".utf8))
    }

    @Test("two fragments from the wire reach the tenant as one whole datagram")
    func fragmentsAreReassembled() throws {
        let harness = try DataPlaneHarness()
        let alice = try harness.attach(DataPlaneHarness.alice)
        try harness.bindUDP(alice, port: 7000)

        harness.receive(Self.fragments(harness))

        let received = try alice.received()
        #expect(received.count == 1)
        #expect(received.first.map(TestPackets.payload(of:)) == Array("sixteen bytes!!!".utf8))
    }

    @Test("a datagram missing a fragment times out exactly when the virtual clock reaches its deadline")
    func partialDatagramTimesOutOnTheVirtualClock() throws {
        let harness = try DataPlaneHarness()
        let alice = try harness.attach(DataPlaneHarness.alice)
        try harness.bindUDP(alice, port: 7000)

        harness.receive([Self.fragments(harness)[0]])
        harness.clock.advance(by: DaemonReassembly.timeoutNanoseconds - 1)
        harness.plane.expireFragments()
        #expect(harness.nic.counters.count(of: .reassembly(.timedOut)) == 0)
        harness.clock.advance(by: 1)
        harness.plane.expireFragments()

        #expect(harness.nic.counters.count(of: .reassembly(.timedOut)) == 1)
        #expect(try alice.received().isEmpty)
    }
}
