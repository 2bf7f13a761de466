// What a ring end reports as queued for the metrics: read from the other side's shared index
// without checking or changing the end, and bounded by the capacity whatever the peer wrote.

import ExoWire
import Testing

@Suite("Ring reported entries")
struct RingReportedEntriesTests {
    @Test("both ends report the entries published and not yet taken")
    func entriesBetweenTheIndices() throws {
        let (_, memory) = try makeRing(capacity: 8)
        var producer = RingProducer(memory: memory)
        var consumer = RingConsumer(memory: memory)
        #expect(producer.reportedEntries == 0 && consumer.reportedEntries == 0)
        _ = try producer.produce(numbered(0, count: 5))
        #expect(producer.reportedEntries == 5 && consumer.reportedEntries == 5)
        #expect(try consumer.take(2).count == 2)
        #expect(producer.reportedEntries == 3 && consumer.reportedEntries == 3)
        // Reading the depth changed nothing: the consumer still takes the other three.
        #expect(try consumer.take(8) == numbered(2, count: 3))
        #expect(producer.reportedEntries == 0 && consumer.reportedEntries == 0)
    }

    @Test("a hostile index reads as at most a full ring, and the end still refuses it")
    func hostileIndexIsBounded() throws {
        let (region, memory) = try makeRing(capacity: 8)
        var consumer = RingConsumer(memory: memory)
        region.poke(0xFFFF_0000, at: RingField.producerIndex.lowerBound)
        #expect(consumer.reportedEntries == 8)
        #expect(throws: RingViolation.self) { try consumer.refreshAvailable() }

        let (other, otherMemory) = try makeRing(capacity: 8)
        var producer = RingProducer(memory: otherMemory)
        _ = try producer.produce(numbered(0, count: 2))
        other.poke(0xFFFF_FFF0, at: RingField.consumerIndex.lowerBound)
        #expect(producer.reportedEntries == 8)
        other.poke(2, at: RingField.consumerIndex.lowerBound)
        #expect(producer.reportedEntries == 0)
    }
}
