// Loss recovery quality: a bulk transfer over a lossy link recovers from most losses by
// SACK/fast recovery and tail-loss probes, not by retransmission timeouts.

import ExoImpairment
import ExoPacket
import Testing

@testable import ExOS

@Suite struct TCPLossRecoveryTests {
    /// A 2 MB transfer over a 10 ms RTT, 100 Mbit/s link at `loss`; returns what it cost.
    static func measure(loss: Double, seed: UInt64, delay: UInt64 = 5_000_000, rate: UInt64 = 100_000_000) -> (rtos: UInt64, time: Interval, intact: Bool) {
        var profile = ImpairmentProfile()
        profile.loss = loss
        profile.duplicate = 0.01
        profile.reorder = 0.01
        profile.delay = delay
        profile.rateBitsPerSecond = rate
        var pair = TCPPair(profile: profile, seed: seed)
        guard pair.establish() else { return (0, .zero, false) }
        let data = patternBytes(2_000_000, seed: seed)
        let start = pair.simulation.now
        let got = pair.transfer(data, fromClient: true)
        let time = pair.simulation.now - start
        return (pair.simulation.stacks[1].counters.tcp.retransmissionTimeouts, time, got == data)
    }

    /// Losses are repaired by SACK recovery, RACK's marking and tail loss probes: at 5%
    /// random loss a 2 MB transfer sees at most a couple of timeouts (it saw 12 to 25
    /// before RACK-TLP) and finishes within 6 s of virtual time (it took 6 to 10 s).
    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func fivePercentLossIsRepairedWithoutTimeouts(seed: UInt64) {
        let result = Self.measure(loss: 0.05, seed: seed)
        #expect(result.intact)
        #expect(result.rtos <= 2)
        #expect(result.time < .seconds(6))
    }

    /// Prints the cost table of docs/EXOS.md §6 (run it by name to refresh the numbers).
    @Test func reportRecoveryCost() {
        for (loss, delay) in [(0.01, UInt64(5_000_000)), (0.02, 5_000_000), (0.05, 5_000_000), (0.02, 100_000)] {
            var line = "loss \(loss) delay \(delay):"
            for seed in UInt64(1)...5 {
                let result = Self.measure(loss: loss, seed: seed, delay: delay, rate: delay == 100_000 ? 0 : 100_000_000)
                line += " [rto \(result.rtos) t \(result.time.nanoseconds / 1_000_000)ms\(result.intact ? "" : " BAD")]"
            }
            print(line)
        }
    }
}
