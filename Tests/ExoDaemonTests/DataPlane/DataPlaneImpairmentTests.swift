// Every impairment kind on the in-process data plane, driven on the virtual clock: what the
// tenant (or the wire) gets, and the counters `exoctl stats` would list for it.

import ExoCore
import ExoWire
import Testing

@testable import ExoDaemon

@Suite("Impairment on the in-process data plane")
struct DataPlaneImpairmentTests {
    /// A harness whose link impairs traffic to the tenants (or from them) with `profile`.
    static func harness(toTenants: WireImpairmentProfile = WireImpairmentProfile(),
        fromTenants: WireImpairmentProfile = WireImpairmentProfile(), seed: UInt64 = 42) throws -> DataPlaneHarness
    {
        var impairment = ImpairmentConfig()
        impairment.seed = seed
        impairment.toTenants = toTenants
        impairment.fromTenants = fromTenants
        return try DataPlaneHarness(impairment: impairment)
    }

    /// Sends `count` numbered packets from the wire to alice's port 7000, 16 per wake-up,
    /// then lets every held copy out (the virtual clock moved a second on); returns the
    /// sequence numbers alice received, in order.
    static func receiveNumbered(_ count: Int, through harness: DataPlaneHarness) throws -> [Int] {
        let alice = try harness.attach(DataPlaneHarness.alice, frames: 64, fillFrames: 64)
        try harness.bindUDP(alice, port: 7000)
        var numbers: [Int] = []
        func collect() throws {
            let packets = try alice.received()
            numbers += packets.map { packet in
                let payload = TestPackets.payload(of: packet)
                return Int(payload[0]) << 8 | Int(payload[1])
            }
            try alice.postFill(count: packets.count)
        }
        for start in stride(from: 0, to: count, by: 16) {
            let batch = (start..<min(count, start + 16)).map {
                harness.packetFromWire(to: DataPlaneHarness.alice, port: 7000, payload: [UInt8($0 >> 8), UInt8($0 & 0xFF)])
            }
            harness.receive(batch)
            try collect()
        }
        for _ in 0..<4 {
            harness.clock.advance(by: 1_000_000_000)
            harness.plane.releaseImpaired()
            try collect()
        }
        return numbers
    }

    static func tally(_ harness: DataPlaneHarness, _ event: ImpairmentEvent, _ way: ImpairmentWay = .toTenants) -> UInt64 {
        harness.plane.impairment.tallies.count(of: event, way, tenant: DataPlaneHarness.alice)
    }

    @Test("10% random loss of 2,000 packets loses between 7.5% and 12.5%, each counted, the same ones for the same seed")
    func randomLossWithinBounds() throws {
        var profile = WireImpairmentProfile()
        profile.lossPPM = 100_000
        let first = try Self.harness(toTenants: profile)
        let received = try Self.receiveNumbered(2000, through: first)
        let lost = 2000 - received.count
        // Binomial(2000, 0.1): sd ≈ 13.4, so 150...250 is past 3.7 sd either way.
        #expect((150...250).contains(lost))
        #expect(Self.tally(first, .lostRandom) == UInt64(lost))
        #expect(received == received.sorted())
        let again = try Self.receiveNumbered(2000, through: try Self.harness(toTenants: profile))
        #expect(again == received)
    }

    @Test("bursty (Gilbert–Elliott) loss loses packets in runs, counted as burst losses")
    func burstLoss() throws {
        var profile = WireImpairmentProfile()
        profile.burstEnterPPM = 50_000
        profile.burstLeavePPM = 300_000
        profile.burstLossBadPPM = 1_000_000
        let harness = try Self.harness(toTenants: profile)
        let received = try Self.receiveNumbered(1000, through: harness)
        let lost = 1000 - received.count
        #expect(lost > 0)
        #expect(Self.tally(harness, .lostBurst) == UInt64(lost))
        #expect(Self.tally(harness, .lostRandom) == 0)
    }

    @Test("duplication delivers every packet twice and counts each duplicate")
    func duplication() throws {
        var profile = WireImpairmentProfile()
        profile.duplicatePPM = 1_000_000
        let harness = try Self.harness(toTenants: profile)
        let received = try Self.receiveNumbered(20, through: harness)
        #expect(received.sorted() == (0..<20).flatMap { [$0, $0] })
        #expect(Self.tally(harness, .duplicated) == 20)
    }

    @Test("reordering lets later packets overtake held ones: all arrive, not in order, each reordering counted")
    func reordering() throws {
        var profile = WireImpairmentProfile()
        profile.reorderPPM = 300_000
        let harness = try Self.harness(toTenants: profile)
        let received = try Self.receiveNumbered(100, through: harness)
        #expect(received.sorted() == Array(0..<100))
        #expect(received != received.sorted())
        #expect(Self.tally(harness, .reordered) > 0)
    }

    @Test("a 20 ms delay holds a packet until the virtual clock reaches it, not a nanosecond less")
    func delayOnTheVirtualClock() throws {
        var profile = WireImpairmentProfile()
        profile.delayNanoseconds = 20_000_000
        let harness = try Self.harness(toTenants: profile)
        let alice = try harness.attach(DataPlaneHarness.alice)
        try harness.bindUDP(alice, port: 7000)
        let packet = harness.packetFromWire(to: DataPlaneHarness.alice, port: 7000, payload: [7])

        harness.receive([packet])
        #expect(try alice.received().isEmpty)
        #expect(Self.tally(harness, .delayed) == 1)
        harness.clock.advance(by: 19_999_999)
        harness.plane.releaseImpaired()
        #expect(try alice.received().isEmpty)
        harness.clock.advance(by: 1)
        harness.plane.releaseImpaired()
        #expect(try alice.received() == [packet])
    }

    @Test("corruption delivers each packet with exactly one bit flipped, counted")
    func corruption() throws {
        var profile = WireImpairmentProfile()
        profile.corruptPPM = 1_000_000
        let harness = try Self.harness(toTenants: profile)
        let alice = try harness.attach(DataPlaneHarness.alice)
        try harness.bindUDP(alice, port: 7000)
        let packet = harness.packetFromWire(to: DataPlaneHarness.alice, port: 7000, payload: Array(repeating: 0, count: 32))

        harness.receive([packet])
        harness.plane.releaseImpaired()

        let received = try alice.received()
        #expect(received.count == 1)
        let flipped = zip(received.first ?? [], packet).map { ($0 ^ $1).nonzeroBitCount }.reduce(0, +)
        #expect(flipped == 1)
        #expect(Self.tally(harness, .corrupted) == 1)
    }

    @Test("a rate limit spaces packets out on the clock and tail-drops what its queue cannot hold, both counted")
    func rateLimit() throws {
        var profile = WireImpairmentProfile()
        profile.rateBitsPerSecond = 1_000_000
        profile.queueLimitNanoseconds = 5_000_000
        let harness = try Self.harness(toTenants: profile)
        let received = try Self.receiveNumbered(100, through: harness)
        let dropped = Self.tally(harness, .lostRateQueue)
        #expect(dropped > 0)
        #expect(Self.tally(harness, .delayed) > 0)
        #expect(received.count + Int(dropped) == 100)
        #expect(received == received.sorted())
    }

    @Test("loss from the tenants applies to what they send: the device gets fewer packets, counted as tx losses")
    func lossFromTenants() throws {
        var profile = WireImpairmentProfile()
        profile.lossPPM = 500_000
        let harness = try Self.harness(fromTenants: profile)
        let alice = try harness.attach(DataPlaneHarness.alice, frames: 64, fillFrames: 0)
        let packets = (0..<40).map {
            TestPackets.udp(
                from: harness.mac(of: DataPlaneHarness.alice), DataPlaneHarness.aliceAddress, 7000,
                to: DataPlaneHarness.peerMAC, DataPlaneHarness.hostAddress, 4000, payload: [UInt8($0)])
        }

        try alice.send(packets)
        harness.plane.transmit(harness.plane.paths[alice.session]!)

        let sent = harness.device.takeSent()
        #expect(sent.count < 40 && sent.count > 0)
        #expect(Self.tally(harness, .lostRandom, .fromTenants) == UInt64(40 - sent.count))
        #expect(try alice.completed().count == 40)
    }
}
