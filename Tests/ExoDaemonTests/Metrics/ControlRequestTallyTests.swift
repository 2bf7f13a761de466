// The control requests' counters: every request kind of the protocol has its own slot named
// as docs/PROTOCOL.md names it (a kind added later gets one without an edit here), an error
// reply counts as an error, and each record lands in exactly one bucket of its kind.

import ExoWire
import Testing

@testable import ExoDaemon

@Suite struct ControlRequestTallyTests {
    @Test func everyRequestKindHasItsOwnSlotNamedAfterIt() {
        let requests = MessageKind.allCases.filter { $0.family == .request }
        let slots = requests.map { ControlRequestTally.served($0, reply: .pong).slot }
        #expect(Set(slots).count == requests.count)
        #expect(!slots.contains(ControlRequestTally.malformedSlot))
        for (kind, slot) in zip(requests, slots) {
            #expect(ControlRequestTally.label(of: slot) == String(describing: kind))
        }
        #expect(ControlRequestTally.label(of: ControlRequestTally.malformedSlot) == "malformed")
    }

    @Test func eachRecordCountsOnceByOutcomeAndLandsInOneBucket() {
        var tally = ControlRequestTally()
        let ok = ControlRequestTally.served(.allocate, reply: .pong)
        let refused = ControlRequestTally.served(.allocate, reply: .error(.overQuota, detail: "over"))
        #expect(!ok.failed && refused.failed)
        tally.record(ok, nanoseconds: 10_000)  // on the first bound: in its bucket
        tally.record(ok, nanoseconds: 10_001)
        tally.record(refused, nanoseconds: 1_000_000_000)
        #expect(tally.count(slot: ok.slot, failed: false) == 2)
        #expect(tally.count(slot: ok.slot, failed: true) == 1)
        let cumulative = tally.cumulativeBuckets(slot: ok.slot)
        #expect(cumulative.count == ControlRequestTally.boundsNanoseconds.count + 1)
        #expect(cumulative[0] == 1 && cumulative[1] == 2)
        #expect(cumulative[cumulative.count - 2] == 2 && cumulative.last == 3)
        #expect(tally.sumNanoseconds[ok.slot] == 1_000_020_001)
        #expect(tally.cumulativeBuckets(slot: ControlRequestTally.served(.ping, reply: .pong).slot).last == 0)
    }
}
