// A well-behaved producer and consumer: order, empty and full, batches, limits, copies,
// and free-running counters that wrap past UInt32.max.

import ExoWire
import Testing

@Suite("Ring basics")
struct RingBasicsTests {
    @Test("an empty ring yields nothing and publishes no consumer index")
    func emptyRing() throws {
        let (region, memory) = try makeRing(capacity: 8)
        var consumer = RingConsumer(memory: memory)
        #expect(try consumer.take(8).isEmpty)
        #expect(try consumer.refreshAvailable() == 0)
        #expect(region.peek(at: RingField.consumerIndex.lowerBound) == 0)
    }

    @Test("descriptors come out in the order they went in, with their fields intact")
    func order() throws {
        let (_, memory) = try makeRing(capacity: 8)
        var producer = RingProducer(memory: memory)
        var consumer = RingConsumer(memory: memory)
        let batch = [RingDescriptor(frame: 7, length: 60), RingDescriptor(frame: 2, length: 1514, flags: 0),
                     RingDescriptor(frame: 0xFFFF_FFFF, length: 0xFFFF_FFFF, flags: 0xFFFF_FFFF)]
        #expect(try producer.produce(batch) == RingPublish(count: 3, wakeupNeeded: false))
        #expect(try consumer.take(8) == batch)
    }

    @Test("a full ring accepts nothing more until the consumer frees slots")
    func fullRing() throws {
        let (_, memory) = try makeRing(capacity: 4)
        var producer = RingProducer(memory: memory)
        var consumer = RingConsumer(memory: memory)
        #expect(try producer.produce(numbered(0, count: 4)).count == 4)
        #expect(producer.cachedFreeSlots == 0)
        #expect(try producer.produce(numbered(4, count: 1)).count == 0)
        #expect(try consumer.take(1) == numbered(0, count: 1))
        #expect(try producer.refreshFreeSlots() == 1)
        #expect(try producer.produce(numbered(4, count: 3)).count == 1)
        #expect(try consumer.take(10) == numbered(1, count: 4))
    }

    @Test("a batch larger than the free space is published up to the space, front first")
    func partialBatch() throws {
        let (region, memory) = try makeRing(capacity: 8)
        var producer = RingProducer(memory: memory)
        var consumer = RingConsumer(memory: memory)
        #expect(try producer.produce(numbered(100, count: 13)).count == 8)
        #expect(region.peek(at: RingField.producerIndex.lowerBound) == 8)
        #expect(try consumer.take(13) == numbered(100, count: 8))
        #expect(region.peek(at: RingField.consumerIndex.lowerBound) == 8)
    }

    @Test("consume takes at most its limit and at most the buffer's size")
    func consumeLimits() throws {
        let (_, memory) = try makeRing(capacity: 16)
        var producer = RingProducer(memory: memory)
        var consumer = RingConsumer(memory: memory)
        _ = try producer.produce(numbered(0, count: 10))
        var buffer = [RingDescriptor](repeating: RingDescriptor(frame: 0, length: 0), count: 4)
        var counts: [Int] = []
        do {
            var span = buffer.mutableSpan
            counts.append(try consumer.consume(into: &span, max: 3))
            counts.append(try consumer.consume(into: &span))
            counts.append(try consumer.consume(into: &span, max: 0))
        }
        #expect(counts == [3, 4, 0])
        #expect(buffer == numbered(3, count: 4))
        #expect(consumer.cachedAvailable == 3)
    }

    @Test("an empty batch publishes nothing and asks for no wake-up")
    func emptyBatch() throws {
        let (region, memory) = try makeRing(capacity: 4)
        var producer = RingProducer(memory: memory)
        region.poke(RingFlags.needWakeup, at: RingField.flags.lowerBound)
        #expect(try producer.produce([]) == RingPublish(count: 0, wakeupNeeded: false))
        #expect(region.peek(at: RingField.producerIndex.lowerBound) == 0)
    }

    @Test("returned descriptors are copies: rewriting the slot afterwards changes nothing")
    func copiesNotViews() throws {
        let (region, memory) = try makeRing(capacity: 4)
        var producer = RingProducer(memory: memory)
        var consumer = RingConsumer(memory: memory)
        _ = try producer.produce(numbered(5, count: 1))
        let taken = try consumer.take(1)
        region.poke(999, at: memory.layout.slotOffset(0) + RingField.Descriptor.frame.lowerBound)
        #expect(taken == numbered(5, count: 1))
    }

    @Test("counters wrap past UInt32.max without losing or reordering entries",
          arguments: [UInt32.max - 2, UInt32.max, UInt32.max - 100, 0x7FFF_FFFE])
    func wraparound(start: UInt32) throws {
        let (region, memory) = try makeRing(capacity: 8, startIndex: start)
        var producer = RingProducer(memory: memory, startIndex: start)
        var consumer = RingConsumer(memory: memory, startIndex: start)
        var next: UInt32 = 0
        var expected: UInt32 = 0
        for round in 0..<100 {
            let offered = 1 + round % 8
            next &+= UInt32(try producer.produce(numbered(next, count: offered)).count)
            for descriptor in try consumer.take(1 + (round * 3) % 8) {
                #expect(descriptor == numbered(expected, count: 1)[0])
                expected &+= 1
            }
        }
        expected &+= UInt32(try consumer.take(8).count)
        #expect(expected == next && next > 200)
        #expect(producer.producerIndex == start &+ next)
        #expect(consumer.consumerIndex == start &+ next)
        #expect(region.peek(at: RingField.producerIndex.lowerBound) == start &+ next)
        #expect(region.peek(at: RingField.consumerIndex.lowerBound) == start &+ next)
        #expect(region.canariesIntact)
    }

    @Test("a capacity-1 ring alternates full and empty")
    func capacityOne() throws {
        let (_, memory) = try makeRing(capacity: 1, startIndex: UInt32.max)
        var producer = RingProducer(memory: memory, startIndex: UInt32.max)
        var consumer = RingConsumer(memory: memory, startIndex: UInt32.max)
        for i in UInt32(0)..<5 {
            #expect(try producer.produce(numbered(i, count: 2)).count == 1)
            #expect(try producer.produce(numbered(i, count: 1)).count == 0)
            #expect(try consumer.take(2) == numbered(i, count: 1))
            #expect(try consumer.take(2).isEmpty)
        }
    }

    @Test("a producer writes only its index, the slots and the reserved word; never the flags")
    func producerWritesOnlyItsOwn() throws {
        let (region, memory) = try makeRing(capacity: 4)
        region.poke(0xDEAD, at: memory.layout.slotOffset(0) + RingField.Descriptor.reserved.lowerBound)
        region.poke(0x5EED, at: RingField.consumerIndex.lowerBound + 4)
        var producer = RingProducer(memory: memory)
        _ = try producer.produce(numbered(1, count: 1))
        #expect(region.peek(at: memory.layout.slotOffset(0) + RingField.Descriptor.reserved.lowerBound) == 0)
        #expect(region.peek(at: RingField.consumerIndex.lowerBound) == 0)
        #expect(region.peek(at: RingField.consumerIndex.lowerBound + 4) == 0x5EED)
        #expect(region.peek(at: RingField.flags.lowerBound) == 0)
    }
}
