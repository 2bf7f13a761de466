// Specification of the abort protocol's choice: frames it can take at once before frames in
// flight, unshared before shared, newest holding first; in-flight choices are condemned.
import ExoCore
import ExoWire
import Testing

@Suite struct RepossessionChoiceTests {
    static func candidate(_ frame: FrameNumber, holding: HoldingID, inFlight: Bool = false, shared: Bool = false)
        -> RepossessionCandidate
    {
        RepossessionCandidate(frame: frame, holding: holding, inFlight: inFlight, shared: shared)
    }

    @Test func idleUnsharedNewestFramesAreTakenFirst() {
        let candidates = [
            Self.candidate(1, holding: 1),
            Self.candidate(2, holding: 9, inFlight: true),
            Self.candidate(3, holding: 5, shared: true),
            Self.candidate(4, holding: 7),
            Self.candidate(5, holding: 8, inFlight: true, shared: true),
        ]
        #expect(RepossessionChoice.choose(2, from: candidates).take.map(\.frame) == [4, 1])
        let three = RepossessionChoice.choose(3, from: candidates)
        #expect(three.take.map(\.frame) == [4, 1, 3] && three.condemn.isEmpty)
        let all = RepossessionChoice.choose(9, from: candidates)
        #expect(all.take.map(\.frame) == [4, 1, 3])
        #expect(all.condemn.map(\.frame) == [2, 5])
    }

    @Test func nothingIsChosenForACountOfZeroOrLess() {
        let candidates = [Self.candidate(1, holding: 1)]
        #expect(RepossessionChoice.choose(0, from: candidates) == RepossessionChoice())
        #expect(RepossessionChoice.choose(-3, from: candidates) == RepossessionChoice())
    }

    /// The choice depends on the candidates, not their order, and takes exactly
    /// min(count, candidates) with no frame twice.
    @Test(arguments: 0..<30) func theChoiceIsTheSameWhateverTheOrder(seed: UInt64) {
        var random = SplitMix64(state: seed)
        let candidates = (0..<Int(random.next() % 12)).map { index in
            Self.candidate(
                FrameNumber(index), holding: HoldingID(index * 3 + 1), inFlight: random.next() % 3 == 0,
                shared: random.next() % 4 == 0)
        }
        let count = Int(random.next() % 14)
        let choice = RepossessionChoice.choose(count, from: candidates)
        #expect(RepossessionChoice.choose(count, from: candidates.shuffled(using: &random)) == choice)
        let chosen = choice.take + choice.condemn
        #expect(chosen.count == min(count, candidates.count))
        #expect(Set(chosen.map(\.frame)).count == chosen.count)
        #expect(choice.take.allSatisfy { !$0.inFlight } && choice.condemn.allSatisfy(\.inFlight))
        // A frame in flight is chosen only when every idle one is.
        if !choice.condemn.isEmpty { #expect(choice.take.count == candidates.filter { !$0.inFlight }.count) }
    }
}
