// A session's unread descriptors: queued ones, then sent ones until the socket drains.
import ExoCore
import Testing

@Suite struct DescriptorsInFlightTests {
    @Test func descriptorsCountFromQueuedUntilTheSocketIsSeenDrained() {
        var count = DescriptorsInFlight()
        count.queued(253)
        count.queued(3)
        #expect(count.total == 256)
        count.sent(253)
        #expect(count.queued == 3 && count.sent == 253 && count.total == 256)
        count.drained()
        #expect(count.total == 3)
        count.sent(10)  // never more than was queued
        #expect(count.queued == 0 && count.sent == 3)
        count.queued(5)
        count.discarded()
        #expect(count.total == 3)
    }
}
