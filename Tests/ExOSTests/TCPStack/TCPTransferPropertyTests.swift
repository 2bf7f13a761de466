// The property the whole stack rests on: whatever the seed of loss, duplication, reordering
// and corruption, random data of random length crosses byte-exact both ways, and both ends
// close down to CLOSED or TIME_WAIT.

import ExoImpairment
import ExoPacket
import Testing

@testable import ExOS

@Suite struct TCPTransferPropertyTests {
    @Test(arguments: Array(UInt64(100)..<130))
    func randomDataUnderRandomFaultsArrivesExactlyAndBothEndsTerminate(seed: UInt64) {
        var random = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        func next(_ bound: UInt64) -> UInt64 {
            random ^= random << 13
            random ^= random >> 7
            random ^= random << 17
            return random % bound
        }
        var profile = ImpairmentProfile()
        profile.loss = Double(next(60)) / 1000
        profile.duplicate = Double(next(30)) / 1000
        profile.reorder = Double(next(30)) / 1000
        profile.corrupt = Double(next(10)) / 1000
        profile.delay = 100_000 + next(5_000_000)
        var pair = TCPPair(profile: profile, seed: seed)
        let opened = pair.establish()
        #expect(opened, "profile \(profile)")
        guard opened else { return }
        let up = patternBytes(Int(1 + next(300_000)), seed: seed)
        let down = patternBytes(Int(1 + next(100_000)), seed: seed + 1)
        let gotUp = pair.transfer(up, fromClient: true, closeAfter: true)
        #expect(gotUp == up, "profile \(profile)")
        let gotDown = pair.transfer(down, fromClient: false, closeAfter: true)
        #expect(gotDown == down, "profile \(profile)")
        let client = pair.client
        let server = pair.server!
        let ended = pair.simulation.run(for: .seconds(300)) { simulation in
            _ = try? simulation.stacks[0].readAvailable(server, now: simulation.now)
            _ = try? simulation.stacks[1].readAvailable(client, now: simulation.now)
            let states = [simulation.stacks[0].tcp.state(server), simulation.stacks[1].tcp.state(client)]
            return states.allSatisfy { $0 == .closed || $0 == .timeWait }
        }
        #expect(ended, "profile \(profile)")
        #expect(pair.simulation.stacks[0].tcp.error(server) == nil && pair.simulation.stacks[1].tcp.error(client) == nil)
    }
}
